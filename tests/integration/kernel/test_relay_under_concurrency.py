"""On PostgreSQL ids are taken before commit, so they commit out of order; the relay never skips.

A reader that remembers the largest id it has seen misses a row whose transaction
took a smaller id but committed later. These tests create exactly that situation,
once deterministically and once under load, and check the relay delivers everything.
Under load they also check the relay's horizon is this database's: a transaction
left open in another database of the server does not stop delivery.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from shared.database import engine_of
from shared.outbox import outbox_messages
from shop.bootstrap import Shop
from tests.integration.kernel.support import (
    NOTICE_POSTED,
    SOURCE,
    Received,
    deliver_until,
    notices,
)

pytestmark = pytest.mark.postgres_only

PRODUCERS = 4
UNITS_OF_WORK_PER_PRODUCER = 150


def outbox_ids(shop: Shop) -> dict[UUID, int]:
    with shop.datastore.transaction(commit=False) as session:
        rows = session.execute(select(outbox_messages.c.message_id, outbox_messages.c.id))
        return {row.message_id: row.id for row in rows}


def test_a_row_that_commits_after_a_larger_id_is_still_delivered(shop: Shop) -> None:
    received = Received()
    shop.subscriptions.subscribe(NOTICE_POSTED, received, name="board.on_posted")
    engine = engine_of(shop.datastore)

    with Session(engine) as slow, Session(engine) as fast:
        early = shop.outbox.add(
            slow, source=SOURCE, message_type=NOTICE_POSTED, payload={"number": 1}
        )
        late = shop.outbox.add(
            fast, source=SOURCE, message_type=NOTICE_POSTED, payload={"number": 2}
        )
        fast.commit()
        # A reader that remembers the largest id it has seen is now past the open row...
        naive_cursor = max(outbox_ids(shop).values())
        assert naive_cursor == outbox_ids(shop)[late]
        # ...the relay is not: it waits for the transaction still open.
        assert shop.relay.deliver_pending() == 0
        slow.commit()

    assert outbox_ids(shop)[early] < naive_cursor
    deliver_until(shop.relay, lambda: len(received.messages) == 2)
    assert received.message_ids == [early, late]


@pytest.fixture(params=["alone on the server", "beside an idle transaction elsewhere"])
def server_neighbours(request: pytest.FixtureRequest, shop: Shop) -> Iterator[None]:
    """Whether another database of the server has a transaction left open meanwhile.

    Such a transaction holds the server's horizon back but not this database's: the
    relay must go on delivering during the load, and still skip nothing.
    """
    if request.param == "alone on the server":
        yield
        return
    engine = create_engine(make_url(shop.settings.database_url).set(database="postgres"))
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_current_xact_id()"))
        yield
        connection.rollback()
    engine.dispose()


@pytest.mark.usefixtures("server_neighbours")
def test_a_tailing_relay_delivers_every_message_exactly_once_under_concurrent_commits(
    shop: Shop,
) -> None:
    received = Received()
    shop.subscriptions.subscribe(NOTICE_POSTED, received, name="board.on_posted")
    commit_order: list[UUID] = []
    commit_order_lock = threading.Lock()
    producing = threading.Event()
    producing.set()
    delivered_while_producing: list[int] = []

    def produce(producer: int) -> None:
        delays = random.Random(producer)
        for number in range(UNITS_OF_WORK_PER_PRODUCER):
            with notices(shop).unit_of_work() as uow:
                message_id = uow.publish(NOTICE_POSTED, {"producer": producer, "number": number})
                # Held open after the insert, so that later inserts commit first.
                time.sleep(delays.uniform(0, 0.004))
            with commit_order_lock:
                commit_order.append(message_id)

    def tail() -> None:
        while producing.is_set():
            delivered_while_producing.append(shop.relay.deliver_pending())

    with ThreadPoolExecutor(PRODUCERS + 1) as pool:
        relay = pool.submit(tail)
        producers = [pool.submit(produce, producer) for producer in range(PRODUCERS)]
        for producer in producers:
            producer.result()
        producing.clear()
        relay.result()
    deliver_until(shop.relay, lambda: len(received.messages) >= len(commit_order))

    ids = outbox_ids(shop)
    largest_id_committed_so_far = 0
    committed_behind_a_larger_id = 0
    for message_id in commit_order:
        committed_behind_a_larger_id += ids[message_id] < largest_id_committed_so_far
        largest_id_committed_so_far = max(largest_id_committed_so_far, ids[message_id])
    assert committed_behind_a_larger_id > 0, "the load did not commit ids out of order"
    assert sum(delivered_while_producing) > 0, "the relay did not deliver during the load"

    assert len(commit_order) == PRODUCERS * UNITS_OF_WORK_PER_PRODUCER
    delivered = Counter(received.message_ids)
    assert set(delivered) == set(commit_order)
    assert set(delivered.values()) == {1}
    by_producer: defaultdict[int, list[int]] = defaultdict(list)
    for message in received.messages:
        by_producer[message.payload["producer"]].append(message.payload["number"])
    assert all(
        numbers == list(range(UNITS_OF_WORK_PER_PRODUCER)) for numbers in by_producer.values()
    )
