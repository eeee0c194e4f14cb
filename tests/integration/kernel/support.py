"""What the kernel tests share: a recording subscriber and ways to wait for the relay.

On PostgreSQL the relay passes only transactions older than every transaction still
running in the shop's database. The shop's own background work can therefore hold a
committed message back for a moment, so the tests wait until the relay has delivered
what they committed rather than assuming it already has.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID

from shared.outbox import IntegrationMessage
from shared.relay import OutboxRelay
from shared.unit_of_work import Transactions
from shop.bootstrap import Shop
from tests.support import eventually

SOURCE = "notices"
NOTICE_POSTED = "notices.Notice.Posted"
NOTICE_WITHDRAWN = "notices.Notice.Withdrawn"


class Received:
    """A subscriber that remembers what it was handed, safe to share between threads."""

    def __init__(self) -> None:
        self._messages: list[IntegrationMessage] = []
        self._lock = threading.Lock()

    def __call__(self, message: IntegrationMessage) -> None:
        with self._lock:
            self._messages.append(message)

    @property
    def messages(self) -> list[IntegrationMessage]:
        with self._lock:
            return list(self._messages)

    @property
    def message_ids(self) -> list[UUID]:
        return [message.message_id for message in self.messages]

    def payloads(self, key: str) -> list[Any]:
        return [message.payload[key] for message in self.messages]


def notices(shop: Shop) -> Transactions:
    """Units of work of a module that only publishes notices."""
    return Transactions(shop.datastore, shop.outbox, SOURCE)


def post_notice(shop: Shop, number: int) -> UUID:
    with notices(shop).unit_of_work() as uow:
        return uow.publish(NOTICE_POSTED, {"number": number})


def await_backlog(relay: OutboxRelay, count: int) -> None:
    """Waits until the relay sees exactly ``count`` committed messages waiting for it."""
    eventually(lambda: relay.backlog() == count)


def deliver_until(relay: OutboxRelay, condition: Callable[[], bool]) -> None:
    def delivered_enough() -> bool:
        relay.deliver_pending()
        return condition()

    eventually(delivered_enough)
