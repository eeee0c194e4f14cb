"""The shop in child processes, as it is deployed: on PostgreSQL the web in one and the workers
in another; on SQLite, whose relay learns of other processes' commits only by polling, both
in one process, as ``shop serve`` runs them.

The web process serves ``create_app(shop, run_background_workers=False)`` with uvicorn on a
loopback port; the worker process runs ``shop.start_background_workers()``, what ``shop
worker`` runs (outbox relay, projections, the sandbox payment provider's notifier). Both
bootstrap the shop from the same settings, on the benchmark's database.

Each child counts what its SQLAlchemy engine executes and commits, and answers the
benchmark over a pipe: ``reset`` starts a measurement, ``report`` ends it (a
:class:`ProcessReport`), ``stop`` shuts the child down. The worker also records the relay's
delay for every message it hands over (:func:`record_relay_delays`).
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import resource
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any, Literal
from uuid import UUID

import uvicorn
from sqlalchemy import Engine, event

from shared import relay as relay_module
from shared.clock import SystemClock
from shared.database import engine_of
from shared.outbox import IntegrationMessage
from shared.settings import Settings
from shared.web.auth import TokenService
from shop.app import create_app
from shop.bootstrap import Shop, bootstrap

Role = Literal["web", "worker", "serve"]
"""``web``: ``shop serve --no-relay``; ``worker``: ``shop worker``; ``serve``: ``shop serve``,
the web and the background workers in one process (how the shop runs on SQLite)."""

SANDBOX_POLL_SECONDS = 0.05
STARTUP_SECONDS = 60.0
ANSWER_SECONDS = 60.0
# How long a worker asked for its report waits for the relay to hand over what is left.
RELAY_SETTLE_SECONDS = 10.0
RELAY_SETTLE_POLL_SECONDS = 0.02


def shop_settings(database_url: str, port: int) -> Settings:
    """The settings both children build the shop from; the benchmark mints tokens with them.

    ``.env`` is not read; ``SHOP_*`` environment variables apply, as for ``shop serve``.
    """
    return Settings(
        _env_file=None,
        database_url=database_url,
        public_base_url=f"http://127.0.0.1:{port}",
        sandbox_poll_seconds=SANDBOX_POLL_SECONDS,
    )


@dataclass(frozen=True)
class ProcessReport:
    """What one child did between ``reset`` and ``report``.

    ``cpu_seconds``: user and system CPU time of the whole process (every thread).
    ``statements``: SQL statements its engine executed (an ``executemany`` counts once).
    ``commits``: transactions its engine committed. ``relay_delays``: for every message
    recorded after the reset and handed over by the worker's relay, seconds from the outbox
    row's ``recorded_at`` to the end of its handling by its last subscriber (empty for the web).
    ``relay_module``: the file the child imported ``shared.relay`` from, which says whose
    code it ran.
    """

    cpu_seconds: float
    statements: int
    commits: int
    relay_delays: tuple[float, ...]
    relay_module: str


class EngineCounters:
    """Counts the statements an engine sends through SQLAlchemy and the commits it makes.

    Statements a driver connection runs directly are not seen: the pool's pings, the
    SQLite connection pragmas, the event store's raw ``NOTIFY`` cursor on PostgreSQL.
    """

    def __init__(self, engine: Engine) -> None:
        self._lock = threading.Lock()
        self.statements = 0
        self.commits = 0
        event.listen(engine, "before_cursor_execute", self._executed)
        event.listen(engine, "commit", self._committed)

    def reset(self) -> None:
        with self._lock:
            self.statements, self.commits = 0, 0

    def _executed(self, *_: object) -> None:
        with self._lock:
            self.statements += 1

    def _committed(self, *_: object) -> None:
        with self._lock:
            self.commits += 1


class RelayDelays:
    """When each message was recorded, and when its last subscriber finished handling it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since = datetime.now(UTC)
        self._messages: dict[UUID, tuple[datetime, datetime]] = {}

    def reset(self) -> None:
        """Forgets every message; from now on, only messages recorded after this count."""
        with self._lock:
            self._since = datetime.now(UTC)
            self._messages = {}

    def handled(self, message: IntegrationMessage) -> None:
        """A subscriber has handled ``message``: its delay runs to now, if none ends later."""
        done = datetime.now(UTC)
        recorded = _utc(message.recorded_at)
        with self._lock:
            if recorded < self._since:
                return
            _, latest = self._messages.get(message.message_id, (recorded, done))
            self._messages[message.message_id] = (recorded, max(latest, done))

    def seconds(self) -> tuple[float, ...]:
        """Each message's delay, in seconds, from its outbox row to its last subscriber's end."""
        with self._lock:
            return tuple(
                (done - recorded).total_seconds() for recorded, done in self._messages.values()
            )


def record_relay_delays(shop: Shop, delays: RelayDelays) -> None:
    """Wraps ``shop.relay``'s hand-over so that ``delays`` learns when each message is handled.

    Call it before the relay starts. Two shapes of ``OutboxRelay`` exist:

    - ``_deliver(message)`` hands one message to all its subscribers, in turn (one
      checkpoint for the relay): the message is handled when it returns;
    - ``_hand_over(message, subscription, state)`` hands it to one subscriber and returns an
      outcome (a position per subscriber, retries, parking): each ``DELIVERED`` outcome is
      one subscriber done, and the message's delay runs to the last of them.

    A message no subscriber listens to is never handed over in the second shape; it is not
    counted in the first either, so both shapes count the same messages.
    """
    relay: Any = shop.relay
    if hasattr(relay, "_deliver"):
        deliver: Callable[[IntegrationMessage], None] = relay._deliver

        def deliver_and_record(message: IntegrationMessage) -> None:
            deliver(message)
            if shop.subscriptions.for_type(message.message_type):
                delays.handled(message)

        relay._deliver = deliver_and_record
        return
    hand_over: Callable[..., Any] = relay._hand_over
    # Only the second shape has outcomes: looked up here, not imported at the top.
    delivered = relay_module._Outcome.DELIVERED  # type: ignore[attr-defined]

    def hand_over_and_record(message: IntegrationMessage, subscription: Any, state: Any) -> Any:
        outcome = hand_over(message, subscription, state)
        if outcome is delivered:
            delays.handled(message)
        return outcome

    relay._hand_over = hand_over_and_record


class _Part:
    """The shop as one child runs it, with its counters and CPU clock."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self._counters = EngineCounters(engine_of(shop.datastore))
        self._cpu_at_reset = _cpu_seconds()

    def reset(self) -> None:
        self._counters.reset()
        self._cpu_at_reset = _cpu_seconds()

    def report(self) -> ProcessReport:
        return ProcessReport(
            cpu_seconds=_cpu_seconds() - self._cpu_at_reset,
            statements=self._counters.statements,
            commits=self._counters.commits,
            relay_delays=(),
            relay_module=relay_module.__file__ or "",
        )

    def stop(self) -> None:
        self.shop.close()


class _Web(_Part):
    """The web alone (``shop serve --no-relay``) or, with ``workers``, the web and every
    background worker in threads of the same process (``shop serve``)."""

    def __init__(self, database_url: str, port: int, *, workers: bool = False) -> None:
        super().__init__(bootstrap(shop_settings(database_url, port), SystemClock()))
        self._delays: RelayDelays | None = None
        if workers:
            self._delays = RelayDelays()
            record_relay_delays(self.shop, self._delays)
        self._server = uvicorn.Server(
            uvicorn.Config(
                create_app(self.shop, run_background_workers=workers),
                host="127.0.0.1",
                port=port,
                log_level="warning",
                access_log=False,
            )
        )
        self._thread = threading.Thread(target=self._server.run, name="uvicorn")
        self._thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                msg = f"uvicorn did not start on port {port}"
                raise RuntimeError(msg)
            time.sleep(0.01)

    def reset(self) -> None:
        super().reset()
        if self._delays is not None:
            self._delays.reset()

    def report(self) -> ProcessReport:
        report = super().report()
        if self._delays is None:
            return report
        return _with_relay_delays(self.shop, report, self._delays)

    def stop(self) -> None:
        # The app's shutdown hook closes the shop.
        self._server.should_exit = True
        self._thread.join()


class _Worker(_Part):
    def __init__(self, database_url: str, port: int) -> None:
        super().__init__(bootstrap(shop_settings(database_url, port), SystemClock()))
        self._delays = RelayDelays()
        record_relay_delays(self.shop, self._delays)
        self.shop.start_background_workers()

    def reset(self) -> None:
        super().reset()
        self._delays.reset()

    def report(self) -> ProcessReport:
        return _with_relay_delays(self.shop, super().report(), self._delays)


def _with_relay_delays(shop: Shop, report: ProcessReport, delays: RelayDelays) -> ProcessReport:
    """The delays, once the relay has nothing left to hand over, so that the last message's
    is in (the wait's queries come after the counters were read, and are not counted)."""
    deadline = time.monotonic() + RELAY_SETTLE_SECONDS
    while shop.relay.backlog() and time.monotonic() < deadline:
        time.sleep(RELAY_SETTLE_POLL_SECONDS)
    return dataclasses.replace(report, relay_delays=delays.seconds())


def run_child(role: Role, database_url: str, port: int, connection: Connection) -> None:
    """A child's main: builds its part of the shop, says ``ready``, then answers commands.

    Answers go back on ``connection`` as ``(kind, payload)``: ``("ready", None)``,
    ``("ok", result)``, or ``("error", traceback)``. The child stops on ``stop``, or when
    the benchmark's end of the pipe closes (the benchmark died).
    """
    # Ctrl-C reaches the whole process group: the benchmark stops its children itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Warnings and errors only: the shop logs every request and every relay round at INFO.
    logging.basicConfig(level=logging.WARNING)
    try:
        part: _Part
        if role == "worker":
            part = _Worker(database_url, port)
        else:
            part = _Web(database_url, port, workers=role == "serve")
    except BaseException:
        connection.send(("error", traceback.format_exc()))
        return
    connection.send(("ready", None))
    asked_to_stop = False
    try:
        asked_to_stop = _answer(connection, part)
    finally:
        part.stop()
    if asked_to_stop:
        connection.send(("ok", None))


def _answer(connection: Connection, part: _Part) -> bool:
    """Answers ``reset`` and ``report`` until ``stop`` (True) or the pipe's end (False)."""
    while True:
        try:
            command = connection.recv()
        except EOFError:
            return False
        if command == "stop":
            return True
        try:
            if command == "reset":
                part.reset()
                result: ProcessReport | None = None
            elif command == "report":
                result = part.report()
            else:
                msg = f"unknown command {command!r}"
                raise ValueError(msg)
        except Exception:
            connection.send(("error", traceback.format_exc()))
        else:
            connection.send(("ok", result))


class ChildFailed(RuntimeError):
    """A child process failed, died, or did not answer in time."""


class ShopProcess:
    """The benchmark's handle on one child process (``web`` or ``worker``)."""

    def __init__(self, role: Role, database_url: str, port: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.role = role
        self._pipe, child_end = context.Pipe()
        self._process = context.Process(
            target=run_child,
            args=(role, database_url, port, child_end),
            name=f"shop-{role}",
            daemon=True,
        )
        self._child_end = child_end

    def start(self) -> None:
        self._process.start()
        self._child_end.close()

    def wait_ready(self) -> None:
        self._expect("ready", STARTUP_SECONDS)

    def reset(self) -> None:
        """Zeroes the child's counters and relay delays, and starts its CPU clock."""
        self._ask("reset")

    def report(self) -> ProcessReport:
        """What the child did since its last reset."""
        report: ProcessReport = self._ask("report")
        return report

    def stop(self) -> None:
        """Asks the child to stop, then terminates it if it does not; never raises."""
        if self._process.is_alive():
            with suppress(ChildFailed, OSError):
                self._ask("stop")
            self._process.join(timeout=ANSWER_SECONDS)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._pipe.close()

    def _ask(self, command: str) -> Any:
        self._pipe.send(command)
        return self._expect("ok", ANSWER_SECONDS)

    def _expect(self, kind: str, timeout: float) -> Any:
        if not self._pipe.poll(timeout):
            msg = f"the {self.role} process did not answer within {timeout:.0f} s"
            raise ChildFailed(msg)
        try:
            answer, payload = self._pipe.recv()
        except EOFError:
            self._process.join(timeout=5)
            msg = f"the {self.role} process exited (code {self._process.exitcode})"
            raise ChildFailed(msg) from None
        if answer != kind:
            msg = f"the {self.role} process failed:\n{payload}"
            raise ChildFailed(msg)
        return payload


@dataclass(frozen=True)
class ServedShop:
    """The running children, the URL the web one serves on, and tokens its API accepts."""

    base_url: str
    processes: Sequence[ShopProcess]
    tokens: TokenService

    def reset(self) -> None:
        for process in self.processes:
            process.reset()

    def reports(self) -> dict[Role, ProcessReport]:
        return {process.role: process.report() for process in self.processes}


@contextmanager
def served_shop(
    database_url: str, *, roles: Sequence[Role] = ("web", "worker")
) -> Iterator[ServedShop]:
    """Starts a child per role on ``database_url``; stops every one of them on the way out.

    The web child serves on a free loopback port, named by the yielded ``base_url``.
    """
    port = free_port()
    settings = shop_settings(database_url, port)
    tokens = TokenService(
        settings.token_secret.get_secret_value(),
        timedelta(seconds=settings.token_ttl_seconds),
        SystemClock(),
    )
    processes = [ShopProcess(role, database_url, port) for role in roles]
    started: list[ShopProcess] = []
    try:
        for process in processes:
            process.start()
            started.append(process)
        for process in processes:
            process.wait_ready()
        yield ServedShop(settings.public_base_url, processes, tokens)
    finally:
        for process in reversed(started):
            process.stop()


def free_port() -> int:
    """A loopback port nothing listens on (free when asked; the web child binds it next)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port: int = listener.getsockname()[1]
    return port


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
