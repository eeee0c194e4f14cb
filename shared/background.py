"""A loop that runs in its own thread beside the web app or in ``shop worker``.

The relay, its notification listener and the sandbox provider's sender are all
the same thing: a loop that waits on a stop signal between rounds. This base
class owns the thread and the signal, so each of them only says what one run is.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from pathlib import Path

logger = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 10.0


class BackgroundThread(ABC):
    """Runs :meth:`run` in a thread named ``name`` between :meth:`start` and :meth:`stop`.

    ``run`` must return soon after :attr:`stopping` is set: it waits with
    ``self.stopping.wait(seconds)`` instead of sleeping, or with
    :meth:`wait_for_wake` when something may call :meth:`wake` to start its next round
    early (a commit, a request). A subclass whose loop waits on something else too
    overrides :meth:`interrupt` to wake it.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._stopping = threading.Event()
        self._woken = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def stopping(self) -> threading.Event:
        return self._stopping

    @property
    def is_running(self) -> bool:
        """Whether the thread is alive: false before ``start``, after ``stop``, or if it died."""
        return self._thread is not None and self._thread.is_alive()

    @abstractmethod
    def run(self) -> None:
        """The loop itself; runs in the thread until :attr:`stopping` is set."""

    def wake(self) -> None:
        """Ends the loop's current :meth:`wait_for_wake` now; safe from any thread."""
        self._woken.set()

    def wait_for_wake(self, seconds: float) -> None:
        """Waits up to ``seconds`` for :meth:`wake` or :meth:`stop`. A wake that came while
        the loop was busy ends the wait at once, so none is lost."""
        self._woken.wait(seconds)
        self._woken.clear()

    def interrupt(self) -> None:  # noqa: B027 - a hook: most loops wait on ``stopping`` alone
        """Called by :meth:`stop` after setting :attr:`stopping`; nothing to wake by default."""

    def start(self) -> None:
        """Starts the thread; raises ``RuntimeError`` if it is already running."""
        if self.is_running:
            msg = f"{self._name} is already running"
            raise RuntimeError(msg)
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name=self._name)
        self._thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Signals the loop to stop and waits up to ``timeout`` seconds for it to return.

        A loop stuck in a call that ignores the signal (a handler that hangs) is left
        behind with a warning rather than blocking shutdown forever.
        """
        self._stopping.set()
        self._woken.set()
        self.interrupt()
        thread, self._thread = self._thread, None
        if thread is None:
            return
        thread.join(timeout)
        if thread.is_alive():
            logger.warning("%s did not stop within %.1fs; leaving it behind", self._name, timeout)


class Heartbeat:
    """A file whose modification time says when a loop last turned.

    The loop calls :meth:`beat`; a health check in another process (``shop outbox
    --check`` in the worker's container) reads :meth:`age_seconds`. A file, because
    the check cannot see this process's threads.
    """

    def __init__(self, path: Path) -> None:
        self._path = path

    def beat(self) -> None:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._path.touch()
        except OSError:
            # A full or read-only disk must not stop the loop; the check will say so.
            logger.exception("could not write the heartbeat file %s", self._path)

    def age_seconds(self) -> float | None:
        """Seconds since the last beat, or ``None`` if there was none."""
        try:
            return max(0.0, time.time() - self._path.stat().st_mtime)
        except FileNotFoundError:
            return None
