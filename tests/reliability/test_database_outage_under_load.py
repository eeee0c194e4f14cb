"""A database outage under load: every session of the shop's database is cut, again and
again for a few seconds, while customers check out; then the cuts stop. For the first
half the shop reconnects at once and is cut again (sessions killed mid-transaction, as
by a proxy or a failover); for the second half the database also refuses new
connections (as while it restarts).

The shop (``shop serve`` in a child process, relay and sandbox provider in it) must
recover by itself, with no restart: requests during the cuts get 503 (or succeed),
never 500; every confirmed checkout completes; nothing committed is left undelivered;
the relay holds its lease again, and its checkpoint never moved backwards. A cut
between a message's handlers and its checkpoint redelivers the message: twins are
reported, and allowed only while :data:`TWINS_ALLOWED` says so (debt 01).

``tests/api/test_database_outage.py`` pins the 503 of a single request while the
database is unreachable; this is the same promise for a whole shop, under load, with
sessions killed in the middle of transactions, the relay's lease session included.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from tests.reliability.harness import (
    RelayWatch,
    Traffic,
    connections_refused,
    customers_of,
    database_of,
    finish_checkouts,
    raise_stock,
    run_customers,
    seed_from_environment,
    served,
    stagger,
    terminate_backends,
)

CHECKOUTS = 24
SPREAD_SECONDS = 5.0
# The cuts start once checkouts are under way, and last this long.
CUT_AFTER_SECONDS = 1.0
CUT_FOR_SECONDS = 2.0
REFUSED_FOR_SECONDS = 2.0
CUT_EVERY_SECONDS = 0.1
CLIENT_DEADLINE_SECONDS = 60.0
SETTLE_SECONDS = 45.0


def test_the_shop_recovers_by_itself_from_its_connections_cut_under_load(
    server_url: str, scratch_url: str, tmp_path: Path, report_figures: list[tuple[str, object]]
) -> None:
    began = time.monotonic()
    seed = seed_from_environment()
    rng = random.Random(seed)
    report_figures.append(("seed", seed))
    traffic = Traffic()
    database = database_of(scratch_url)

    with served(scratch_url, tmp_path) as shop, RelayWatch(scratch_url) as watch:
        raise_stock(shop.base_url)
        pid = shop.pid
        deadline = time.monotonic() + CLIENT_DEADLINE_SECONDS
        customers = customers_of(
            shop.base_url, traffic, prefix="outage", count=CHECKOUTS, deadline=deadline
        )
        threads, outcomes = run_customers(customers, stagger(rng, CHECKOUTS, SPREAD_SECONDS))

        time.sleep(CUT_AFTER_SECONDS)
        cuts, sessions_ended = 0, 0
        cutting_until = time.monotonic() + CUT_FOR_SECONDS
        while time.monotonic() < cutting_until:
            sessions_ended += terminate_backends(server_url, database)
            cuts += 1
            time.sleep(CUT_EVERY_SECONDS)
        with connections_refused(server_url, database):
            refusing_until = time.monotonic() + REFUSED_FOR_SECONDS
            while time.monotonic() < refusing_until:
                sessions_ended += terminate_backends(server_url, database)
                cuts += 1
                time.sleep(CUT_EVERY_SECONDS)
        cut_ended = time.monotonic()

        checkouts = finish_checkouts(
            threads,
            outcomes,
            scratch_url,
            client_deadline=CLIENT_DEADLINE_SECONDS,
            settle_seconds=SETTLE_SECONDS,
        )
        recovered_after = time.monotonic() - cut_ended
        outbox = shop.outbox_report()
        logged_server_errors = shop.server_errors()
        answered = sum(shop.answers().values())
        still_the_same_process = shop.is_running() and shop.pid == pid

    report_figures.extend(
        [
            ("checkouts", CHECKOUTS),
            *checkouts.figures(),
            ("cuts", cuts),
            ("sessions ended", sessions_ended),
            ("requests answered", answered),
            ("503s", traffic.statuses[503]),
            ("500s", len(traffic.server_errors)),
            ("settled after the cuts", f"{recovered_after:.1f}s"),
            ("max relay delay (downtime included)", f"{watch.max_delay_seconds:.1f}s"),
            ("checkpoint samples", f"{watch.samples} ({watch.failed_samples} cut)"),
            ("duration", f"{time.monotonic() - began:.1f}s"),
        ]
    )

    assert sessions_ended > 0, "the cuts ended no session of the shop"
    assert still_the_same_process, "the shop had to be restarted"
    assert not traffic.server_errors, traffic.server_errors
    assert answered > 0, "the server logged no request"
    assert not logged_server_errors, logged_server_errors
    assert traffic.refused == traffic.cut == 0, "the server stopped answering"
    checkouts.assert_all_completed(customers)
    assert outbox["backlog"] == 0, outbox
    assert outbox["lease"]["held"], "the relay did not take its lease again"
    assert not watch.backwards, watch.backwards
