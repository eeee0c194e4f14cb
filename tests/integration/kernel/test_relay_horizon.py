"""What holds delivery back, and what the relay says about it.

On PostgreSQL the relay may not pass a transaction that can still commit. The
server's own horizon counts transactions of every database on the server, so a
session left idle in *another* database used to stall the shop while its backlog
read 0. Only this database's transactions may hold delivery back now, and a
committed message is always counted, whether the relay may read it yet or not.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from shared.clock import ManualClock
from shared.database import engine_of
from shared.horizon import widen_xid
from shared.leases import lease_for
from shared.outbox import IntegrationMessage
from shared.relay import RelayWorker
from shop.bootstrap import Shop
from tests.integration.kernel.support import NOTICE_POSTED, Received, post_notice
from tests.support import eventually

EPOCH = 1 << 32


@pytest.mark.parametrize(
    ("xid", "reference", "widened"),
    [
        (1000, 1005, 1000),
        (1000, 3 * EPOCH + 1005, 3 * EPOCH + 1000),
        # The reference has wrapped into the next epoch; the running id has not.
        (EPOCH - 10, 3 * EPOCH + 5, 2 * EPOCH + EPOCH - 10),
        # Assigned just after the reference was read, across the wrap.
        (3, 3 * EPOCH - 2, 3 * EPOCH + 3),
    ],
)
def test_a_running_transaction_id_is_widened_into_the_epoch_of_the_reference(
    xid: int, reference: int, widened: int
) -> None:
    assert widen_xid(xid, reference) == widened


@pytest.fixture
def open_transaction_elsewhere(shop: Shop) -> Iterator[Connection]:
    """A session of another database on the same server, left idle in a transaction."""
    url = make_url(shop.settings.database_url).set(database="postgres")
    engine = create_engine(url)
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_current_xact_id()"))  # takes a transaction id
        yield connection
        connection.rollback()
    engine.dispose()


@pytest.fixture
def open_transaction_here(shop: Shop) -> Iterator[Connection]:
    """A session of the shop's own database, left idle in a transaction that took an id."""
    with engine_of(shop.datastore).connect() as connection:
        connection.execute(text("SELECT pg_current_xact_id()"))
        yield connection
        connection.rollback()


@pytest.mark.postgres_only
def test_a_transaction_idle_in_another_database_does_not_hold_delivery_back(
    shop: Shop, open_transaction_elsewhere: Connection
) -> None:
    received = Received()
    shop.subscriptions.subscribe(NOTICE_POSTED, received, name="board.on_posted")
    message_id = post_notice(shop, 1)

    assert shop.relay.backlog() == 1
    assert shop.relay.deliver_pending() == 1
    assert received.message_ids == [message_id]


@pytest.mark.postgres_only
def test_a_transaction_of_this_database_holds_delivery_back_and_is_named(
    shop: Shop, open_transaction_here: Connection
) -> None:
    received = Received()
    shop.subscriptions.subscribe(NOTICE_POSTED, received, name="board.on_posted")
    blocking_pid = open_transaction_here.execute(text("SELECT pg_backend_pid()")).scalar_one()
    database = open_transaction_here.execute(text("SELECT current_database()")).scalar_one()
    message_id = post_notice(shop, 1)

    assert shop.relay.deliver_pending() == 0
    status = shop.relay_status()

    assert (status.backlog, status.held_back) == (1, 1), "committed, counted, held back"
    assert [m.message_id for m in status.oldest_waiting] == [message_id]
    assert status.oldest_waiting[0].held_back
    assert status.blocker is not None
    assert (status.blocker.database, status.blocker.pid) == (database, blocking_pid)
    assert status.blocker.state == "idle in transaction"
    assert status.blocker.age_seconds is not None
    assert status.blocker.age_seconds >= 0

    open_transaction_here.rollback()

    assert shop.relay.deliver_pending() == 1
    assert received.message_ids == [message_id]
    assert shop.relay_status().blocker is None


def test_the_status_counts_what_waits_and_how_long(shop: Shop, clock: ManualClock) -> None:
    assert shop.relay_status().backlog == 0
    first = post_notice(shop, 1)
    clock.advance(timedelta(seconds=90))
    post_notice(shop, 2)
    clock.advance(timedelta(seconds=10))

    status = shop.relay_status()

    assert status.backlog == 2
    assert status.held_back == 0
    assert status.oldest_waiting_seconds == 100
    assert [m.age_seconds for m in status.oldest_waiting] == [100, 10]
    assert status.oldest_waiting[0].message_id == first
    assert status.stalled, "older than the 60 s threshold"
    assert status.blocker is None
    assert not status.lease.held
    assert status.lease.holder is None


class FailingUntilHealed:
    """A subscriber that fails, as in a shop whose relay retries a bad message forever."""

    def __init__(self) -> None:
        self.healed = False
        self.attempts = 0
        self.received = Received()

    def __call__(self, message: IntegrationMessage) -> None:
        self.attempts += 1
        if not self.healed:
            raise RuntimeError("board unavailable")
        self.received(message)


def test_a_stall_is_logged_once_and_its_end_once(
    shop: Shop, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    handler = FailingUntilHealed()
    shop.subscriptions.subscribe(NOTICE_POSTED, handler, name="board.on_posted")
    worker = RelayWorker(
        shop.relay,
        lease_for(shop.datastore, shop.relay.name),
        poll_seconds=0.01,
        retry_seconds=0.01,
        stall_threshold_seconds=30,
    )
    message_id = post_notice(shop, 1)

    def stall_warnings() -> list[logging.LogRecord]:
        return [r for r in caplog.records if "stalled" in r.getMessage()]

    with caplog.at_level(logging.INFO, logger="shared.relay"):
        worker.start()
        try:
            eventually(lambda: handler.attempts >= 2)
            assert stall_warnings() == []

            clock.advance(timedelta(seconds=31))

            eventually(stall_warnings)
            attempts = handler.attempts
            eventually(lambda: handler.attempts >= attempts + 5)
            assert len(stall_warnings()) == 1, "once, not per retry"
            [warning] = stall_warnings()
            assert warning.levelno == logging.WARNING
            assert "backlog 1" in warning.getMessage()

            handler.healed = True

            eventually(lambda: handler.received.message_ids == [message_id])
            eventually(lambda: "relay main delivers again" in caplog.text)
        finally:
            worker.stop()
    assert len(stall_warnings()) == 1
