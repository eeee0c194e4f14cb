"""The sandbox provider's sender: posts due notifications to the shop's webhook over HTTP."""

from __future__ import annotations

import logging

import httpx

from modules.payments.infrastructure.sandbox.provider import SandboxPaymentProvider
from shared.background import BackgroundThread

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 5.0


class SandboxNotifier(BackgroundThread):
    """A background thread that delivers the sandbox's notifications to ``base_url``."""

    def __init__(
        self, provider: SandboxPaymentProvider, base_url: str, *, poll_seconds: float
    ) -> None:
        super().__init__("sandbox-notifier")
        self._provider = provider
        self._base_url = base_url
        self._poll_seconds = poll_seconds

    def run(self) -> None:
        logger.info("sandbox notifier started, posting to %s", self._base_url)
        unsubscribe = self._provider.on_request(self.wake)
        try:
            with httpx.Client(base_url=self._base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client:

                def post(path: str, body: bytes, headers: dict[str, str]) -> int:
                    return client.post(path, content=body, headers=headers).status_code

                while not self.stopping.is_set():
                    try:
                        self._provider.deliver_due_notifications(post)
                    except Exception:
                        logger.exception("sandbox notifier failed; trying again")
                    # Woken by a request made in this process; the poll finds the rest
                    # (requests from other processes, retries that fall due).
                    self.wait_for_wake(self._poll_seconds)
        finally:
            unsubscribe()
        logger.info("sandbox notifier stopped")
