"""One relay delivers at a time, whatever the number of workers; a standby takes over."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import ColumnElement, text

from shared.database import create_datastore, engine_of, is_postgresql
from shared.leases import FileLease, PostgresAdvisoryLease, RelayLease, lease_for
from shared.relay import OutboxNotifications, OutboxRelay, RelayWorker
from shop.bootstrap import Shop
from tests.integration.kernel.support import NOTICE_POSTED, Received, post_notice
from tests.support import eventually

PROJECT_ROOT = Path(__file__).resolve().parents[3]

# A worker process that takes the lease, says so, and holds it until it is killed.
LEASE_HOLDER = """
import sys
from shared.database import create_datastore
from shared.leases import lease_for

lease = lease_for(create_datastore(sys.argv[1]), "main")
assert lease.acquire()
print("holding", flush=True)
sys.stdin.read()
"""


class CountingRelay(OutboxRelay):
    """Counts its delivery passes, to tell a woken worker from a sleeping one."""

    passes = 0

    def deliver_pending(self, on_batch: Callable[[], None] | None = None) -> int:
        delivered = super().deliver_pending(on_batch)
        self.passes += 1
        return delivered


@pytest.fixture
def other_process(shop: Shop) -> Iterator[SQLAlchemyDatastore]:
    """The datastore of a second worker process: its own connections to the same database."""
    datastore = create_datastore(shop.settings.database_url)
    yield datastore
    engine_of(datastore).dispose()


def test_the_lease_matches_the_database(shop: Shop) -> None:
    lease = lease_for(shop.datastore, "main")

    expected = PostgresAdvisoryLease if is_postgresql(shop.settings.database_url) else FileLease
    assert isinstance(lease, expected)


def test_only_one_worker_holds_the_lease_until_it_lets_go(
    shop: Shop, other_process: SQLAlchemyDatastore
) -> None:
    first = lease_for(shop.datastore, "main")
    second = lease_for(other_process, "main")

    assert first.acquire()
    assert not second.acquire()
    assert first.acquire(), "the holder keeps its lease when it asks again"

    first.release()

    assert second.acquire()
    assert not first.acquire()
    second.release()


def test_a_lease_is_per_relay_name(shop: Shop, other_process: SQLAlchemyDatastore) -> None:
    main = lease_for(shop.datastore, "main")
    audit = lease_for(other_process, "audit")

    assert main.acquire()
    assert audit.acquire()
    main.release()
    audit.release()


def test_a_killed_holder_hands_the_lease_over(shop: Shop) -> None:
    standby = lease_for(shop.datastore, "main")
    holder = subprocess.Popen(  # noqa: S603 - our own interpreter running our own script
        [sys.executable, "-c", LEASE_HOLDER, shop.settings.database_url],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "holding\n"
        assert not standby.acquire()
    finally:
        holder.kill()
        holder.wait()

    eventually(standby.acquire)
    standby.release()


@pytest.mark.postgres_only
def test_a_holder_whose_connection_dies_loses_the_lease_to_the_standby(
    shop: Shop, other_process: SQLAlchemyDatastore
) -> None:
    holder = lease_for(shop.datastore, "main")
    standby = lease_for(other_process, "main")
    assert holder.acquire()

    with engine_of(other_process).begin() as connection:
        terminated = connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        ).all()
    assert len(terminated) == 1

    eventually(standby.acquire)
    assert not holder.acquire()
    standby.release()


def test_a_running_worker_delivers_what_is_committed_as_soon_as_it_is_woken(
    shop: Shop,
) -> None:
    received = Received()
    shop.subscriptions.subscribe(NOTICE_POSTED, received, name="board.on_posted")
    relay = CountingRelay(shop.datastore, shop.subscriptions)
    # Polling alone would take a minute: only the wake-up on commit can pass the test.
    worker = RelayWorker(
        relay, lease_for(shop.datastore, "main"), poll_seconds=60, retry_seconds=60
    )
    shop.outbox.on_commit(worker.wake)
    worker.start()
    try:
        eventually(lambda: relay.passes == 1)

        message_id = post_notice(shop, 1)

        eventually(lambda: relay.passes >= 2)

        def delivered() -> bool:
            # Another transaction of this database may have held the message
            # back during that pass; every wake-up is another look.
            worker.wake()
            return received.message_ids == [message_id]

        eventually(delivered)
    finally:
        worker.stop()


def test_two_workers_deliver_each_message_once(
    shop: Shop, other_process: SQLAlchemyDatastore
) -> None:
    received = Received()
    shop.subscriptions.subscribe(NOTICE_POSTED, received, name="board.on_posted")
    workers = [
        RelayWorker(
            OutboxRelay(datastore, shop.subscriptions),
            lease_for(datastore, "main"),
            poll_seconds=0.01,
            retry_seconds=0.01,
        )
        for datastore in (shop.datastore, other_process)
    ]
    for worker in workers:
        shop.outbox.on_commit(worker.wake)
        worker.start()
    try:
        published = [post_notice(shop, number) for number in range(30)]

        eventually(lambda: len(received.messages) >= len(published))
    finally:
        for worker in workers:
            worker.stop()

    assert Counter(received.message_ids) == Counter(published)


class LeaseLostOnce:
    """A lease whose first check fails, as when the database restarts under the worker."""

    def __init__(self, lease: RelayLease) -> None:
        self._lease = lease
        self.checks = 0

    def acquire(self) -> bool:
        self.checks += 1
        if self.checks == 1:
            raise ConnectionError("database restarting")
        return self._lease.acquire()

    def release(self) -> None:
        self._lease.release()

    def still_held(self) -> ColumnElement[bool]:
        return self._lease.still_held()

    def is_held(self) -> bool:
        return self._lease.is_held()


def test_a_worker_whose_lease_check_fails_keeps_going_and_delivers(shop: Shop) -> None:
    received = Received()
    shop.subscriptions.subscribe(NOTICE_POSTED, received, name="board.on_posted")
    lease = LeaseLostOnce(lease_for(shop.datastore, "main"))
    worker = RelayWorker(
        OutboxRelay(shop.datastore, shop.subscriptions),
        lease,
        poll_seconds=0.01,
        retry_seconds=0.01,
    )
    shop.outbox.on_commit(worker.wake)
    worker.start()
    try:
        message_id = post_notice(shop, 1)

        eventually(lambda: received.message_ids == [message_id])
    finally:
        worker.stop()

    assert lease.checks >= 2


@pytest.mark.postgres_only
def test_a_relay_in_another_process_is_woken_by_the_commit_not_by_its_poll(
    shop: Shop, other_process: SQLAlchemyDatastore
) -> None:
    received = Received()
    shop.subscriptions.subscribe(NOTICE_POSTED, received, name="board.on_posted")
    relay = CountingRelay(other_process, shop.subscriptions)
    # Polling alone would take a minute: only PostgreSQL's notification can pass the test.
    worker = RelayWorker(relay, lease_for(other_process, "main"), poll_seconds=60, retry_seconds=60)
    notifications = OutboxNotifications(other_process, worker.wake, retry_seconds=60)
    worker.start()
    notifications.start()
    try:
        eventually(lambda: relay.passes >= 2)  # the first pass, then the wake-up on LISTEN
        passes = relay.passes

        message_id = post_notice(shop, 1)

        eventually(lambda: relay.passes > passes)

        def delivered() -> bool:
            # Another transaction of this database may have held the message
            # back during that pass; every wake-up is another look.
            worker.wake()
            return received.message_ids == [message_id]

        eventually(delivered)
    finally:
        notifications.stop()
        worker.stop()


@pytest.mark.postgres_only
def test_a_message_held_back_by_a_transaction_that_publishes_nothing_goes_out_when_it_ends(
    shop: Shop, other_process: SQLAlchemyDatastore
) -> None:
    """That transaction's commit sends no ``NOTIFY``: the worker must look again by itself,
    not wait for its poll (a minute here)."""
    received = Received()
    shop.subscriptions.subscribe(NOTICE_POSTED, received, name="board.on_posted")
    relay = CountingRelay(other_process, shop.subscriptions)
    worker = RelayWorker(relay, lease_for(other_process, "main"), poll_seconds=60, retry_seconds=60)
    worker.start()
    try:
        eventually(lambda: relay.passes >= 1)
        with engine_of(shop.datastore).connect() as older:
            # A transaction with an id, older than the message's, and still running.
            older.execute(text("SELECT pg_current_xact_id()"))
            message_id = post_notice(shop, 1)
            worker.wake()
            eventually(lambda: relay.held_back)
            older.commit()

        eventually(lambda: received.message_ids == [message_id])
    finally:
        worker.stop()
