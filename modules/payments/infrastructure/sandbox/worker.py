"""The sandbox provider's sender: posts due notifications to the shop's webhook over HTTP."""

from __future__ import annotations

import logging
import threading

import httpx

from modules.payments.infrastructure.sandbox.provider import SandboxPaymentProvider

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 5.0


class SandboxNotifier:
    """A background thread that delivers the sandbox's notifications to ``base_url``."""

    def __init__(
        self, provider: SandboxPaymentProvider, base_url: str, *, poll_seconds: float
    ) -> None:
        self._provider = provider
        self._base_url = base_url
        self._poll_seconds = poll_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        logger.info("sandbox notifier started, posting to %s", self._base_url)
        with httpx.Client(base_url=self._base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client:

            def post(path: str, body: bytes, headers: dict[str, str]) -> int:
                return client.post(path, content=body, headers=headers).status_code

            while not self._stopping.is_set():
                try:
                    self._provider.deliver_due_notifications(post)
                except Exception:
                    logger.exception("sandbox notifier failed; trying again")
                self._stopping.wait(self._poll_seconds)
        logger.info("sandbox notifier stopped")

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name="sandbox-notifier")
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
