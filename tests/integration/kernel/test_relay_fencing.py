"""A relay that lost its lease stops at the message in flight; its checkpoint write is refused.

The story: the active relay works through a backlog when its lease goes away under
it (its lock connection killed, the database restarted, an idle-session timeout).
The standby takes over at once. The old holder must not go on delivering, and its
late checkpoint write must not move the shared checkpoint backwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import ColumnElement, Engine, select, text, true
from sqlalchemy.engine import make_url

from shared.database import create_datastore, engine_of
from shared.leases import LeaseHolder, RelayLease, lease_for
from shared.messaging import Subscriptions
from shared.outbox import IntegrationMessage
from shared.relay import LeaseLost, OutboxRelay, RelayWorker, relay_checkpoints
from shop.bootstrap import Shop
from tests.integration.kernel.support import NOTICE_POSTED, Received, post_notice
from tests.support import eventually

BACKLOG = 40
IN_FLIGHT = 5  # the message the first holder is delivering when its lease goes
TERMINATION_WAIT_MS = 10_000


class HeldLease:
    """A lease that always looks held: isolates the epoch fence from the lock check."""

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        return None

    def still_held(self) -> ColumnElement[bool]:
        return true()

    def is_held(self) -> bool:
        return True


def checkpoint(shop: Shop) -> tuple[int, int]:
    with shop.datastore.transaction(commit=False) as session:
        row = session.execute(
            select(relay_checkpoints.c.tx_id, relay_checkpoints.c.message_position)
        ).one()
    return (row.tx_id, row.message_position)


def numbers(received: Received) -> list[int]:
    return [int(number) for number in received.payloads("number")]


def subscribed(received: Callable[[IntegrationMessage], None]) -> Subscriptions:
    subscriptions = Subscriptions()
    subscriptions.subscribe(NOTICE_POSTED, received, name="board.on_posted")
    return subscriptions


@pytest.fixture
def other_process(shop: Shop) -> Iterator[SQLAlchemyDatastore]:
    datastore = create_datastore(shop.settings.database_url)
    yield datastore
    engine_of(datastore).dispose()


def test_a_relay_taken_over_from_delivers_the_message_in_flight_and_stops(
    shop: Shop, other_process: SQLAlchemyDatastore
) -> None:
    by_first, by_second = Received(), Received()
    first = OutboxRelay(shop.datastore, subscribed(by_first))
    second = OutboxRelay(other_process, subscribed(by_second))
    for number in range(1, 4):
        post_notice(shop, number)
    first.take_over(HeldLease(), LeaseHolder("relay-main", "host-a", 1))
    second.take_over(HeldLease(), LeaseHolder("relay-main", "host-b", 2))

    with pytest.raises(LeaseLost):
        first.deliver_pending()

    assert numbers(by_first) == [1], "only the message in flight"
    assert checkpoint(shop) == (-1, 0), "the deposed relay's write was refused"
    assert second.deliver_pending() == 3
    assert numbers(by_second) == [1, 2, 3]


def test_a_takeover_records_the_holder_and_a_new_epoch(shop: Shop) -> None:
    relay = OutboxRelay(shop.datastore, Subscriptions(), clock=shop.clock)
    lease = lease_for(shop.datastore, relay.name)
    alice, bob = LeaseHolder("relay-main", "alice", 10), LeaseHolder("relay-main", "bob", 20)
    assert lease.acquire()
    try:
        first = relay.take_over(lease, alice)
        second = relay.take_over(lease, bob)

        status = relay.status(lease, stall_threshold_seconds=60)
    finally:
        lease.release()

    assert (first.epoch, first.previous_holder) == (1, None)
    assert (second.epoch, second.previous_holder) == (2, alice)
    assert status.lease.held
    assert status.lease.holder == bob
    assert status.lease.epoch == 2
    assert status.lease.taken_at == shop.clock.now()


def test_a_relay_without_its_lease_cannot_take_over(shop: Shop) -> None:
    relay = OutboxRelay(shop.datastore, Subscriptions())
    lease = lease_for(shop.datastore, relay.name)

    with pytest.raises(LeaseLost):
        relay.take_over(lease, LeaseHolder("relay-main", "host", 1))


@pytest.mark.postgres_only
def test_a_relay_whose_lock_session_dies_mid_delivery_stops_even_with_no_standby(
    shop: Shop,
) -> None:
    received = Received()

    def lose_the_lock_while_handling(message: IntegrationMessage) -> None:
        received(message)
        terminate_advisory_lock_holders(engine_of(shop.datastore))

    relay = OutboxRelay(shop.datastore, subscribed(lose_the_lock_while_handling))
    lease = lease_for(shop.datastore, relay.name)
    assert lease.acquire()
    relay.take_over(lease, LeaseHolder("relay-main", "host", 1))
    post_notice(shop, 1)
    post_notice(shop, 2)

    with pytest.raises(LeaseLost):
        relay.deliver_pending()

    assert numbers(received) == [1], "only the message in flight"
    assert checkpoint(shop) == (-1, 0), "the write after the lock went was refused"
    lease.release()


class LeaseThatGoes:
    """A real lease whose holder is told, at its next check, that it has lost it."""

    def __init__(self, lease: RelayLease) -> None:
        self._lease = lease
        self.lost = False

    def acquire(self) -> bool:
        return not self.lost and self._lease.acquire()

    def release(self) -> None:
        self._lease.release()

    def still_held(self) -> ColumnElement[bool]:
        return self._lease.still_held()

    def is_held(self) -> bool:
        return self._lease.is_held()


def test_a_relay_asks_its_lease_again_before_each_batch(shop: Shop) -> None:
    received = Received()
    lease = LeaseThatGoes(lease_for(shop.datastore, "main"))

    def lose_the_lease(message: IntegrationMessage) -> None:
        received(message)
        lease.lost = True

    relay = OutboxRelay(shop.datastore, subscribed(lose_the_lease), batch_size=1)
    assert lease.acquire()
    relay.take_over(lease, LeaseHolder("relay-main", "host", 1))
    post_notice(shop, 1)
    post_notice(shop, 2)

    with pytest.raises(LeaseLost):
        relay.deliver_pending()

    assert numbers(received) == [1], "the next batch was not read"
    lease.release()


def terminate_advisory_lock_holders(engine: Engine) -> None:
    """Kills the session holding the relay's advisory lock, as an operator or a proxy might,
    and returns once it is gone (``pg_terminate_backend`` only signals, unless it is given
    a timeout in milliseconds to wait for the backend's exit)."""
    with engine.begin() as connection:
        killed = connection.execute(
            text(
                "SELECT pg_terminate_backend(pid, :wait) FROM pg_locks"
                " WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"wait": TERMINATION_WAIT_MS},
        ).all()
    assert len(killed) == 1


def restart_the_database(engine: Engine) -> None:
    """What a restart does to the shop: every session of its database ends at once."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )


def with_idle_session_timeout(url: str, timeout: str) -> str:
    """Every session of a datastore on this URL ends after ``timeout`` idle, as the server may."""
    options = quote(f"-c idle_session_timeout={timeout}")
    return (
        make_url(url)
        .update_query_string(f"options={options}")
        .render_as_string(hide_password=False)
    )


LEASE_LOSSES = {
    # The lock's own session is killed (pg_terminate_backend on its pid).
    "lock session terminated": lambda engine: terminate_advisory_lock_holders(engine),
    # The server restarts: every session of the database goes, the standby's too.
    "database restarted": lambda engine: restart_the_database(engine),
    # The first holder's sessions have an idle-session timeout; waiting is enough.
    "idle session timeout": lambda engine: None,
}


@pytest.mark.postgres_only
@pytest.mark.parametrize("loss", list(LEASE_LOSSES))
def test_a_standby_takes_over_from_a_holder_that_lost_its_lease_mid_backlog(
    shop: Shop, loss: str
) -> None:
    url = shop.settings.database_url
    first_url = with_idle_session_timeout(url, "2s") if loss == "idle session timeout" else url
    first_process, second_process = create_datastore(first_url), create_datastore(url)
    by_first, by_second = Received(), Received()
    second_done = threading.Event()

    def first_handler(message: IntegrationMessage) -> None:
        by_first(message)
        if message.payload["number"] == IN_FLIGHT:
            # The lease goes while this message is in flight; the standby finishes the
            # backlog before this handler returns and the first holder writes its checkpoint.
            LEASE_LOSSES[loss](engine_of(other_engine_owner))
            second_done.wait(timeout=40)

    def second_handler(message: IntegrationMessage) -> None:
        by_second(message)
        if message.payload["number"] == BACKLOG:
            second_done.set()

    other_engine_owner = create_datastore(shop.settings.database_url)
    workers = [
        RelayWorker(
            OutboxRelay(datastore, subscribed(handler)),
            lease_for(datastore, "main"),
            poll_seconds=0.01,
            retry_seconds=0.01,
            holder=LeaseHolder("relay-main", name, 1),
        )
        for datastore, handler, name in (
            (first_process, first_handler, "first"),
            (second_process, second_handler, "second"),
        )
    ]
    for number in range(1, BACKLOG + 1):
        post_notice(shop, number)
    first, second = workers
    try:
        first.start()
        eventually(lambda: first.leading)
        second.start()

        # The standby works through 36 messages, after the loss is noticed: a loaded
        # machine needs more than the probe's usual 10 s.
        eventually(lambda: second.leading and numbers(by_second)[-1:] == [BACKLOG], timeout=30)
        eventually(lambda: not first.leading)
    finally:
        second_done.set()
        for worker in workers:
            worker.stop()
        for datastore in (first_process, second_process, other_engine_owner):
            engine_of(datastore).dispose()

    assert numbers(by_first) == list(range(1, IN_FLIGHT + 1))
    assert numbers(by_second) == list(range(IN_FLIGHT, BACKLOG + 1)), "from the in-flight one"
    # A restart ended this test's pooled connections too; the pool does not ping before
    # each use (shared.database), so start from fresh ones rather than fail on a dead one.
    engine_of(shop.datastore).dispose()
    with shop.datastore.transaction(commit=False) as session:
        last = session.execute(
            text("SELECT tx_id, id FROM outbox_messages ORDER BY tx_id DESC, id DESC LIMIT 1")
        ).one()
    assert checkpoint(shop) == (last.tx_id, last.id), "the late write did not move it back"
