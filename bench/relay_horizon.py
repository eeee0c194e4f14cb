"""How far may a relay read on PostgreSQL? Four answers, measured side by side.

    uv run python bench/relay_horizon.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

The script creates a scratch database with one outbox-like table, runs writer threads
that commit one message per transaction, and four relays reading the same table,
each with its own way to never pass a message that may still commit:

- server horizon: ``tx_id < pg_snapshot_xmin(pg_current_snapshot())`` (the shop before);
- database horizon: ``tx_id <`` the oldest running transaction of *this* database
  (``shared.horizon.read_horizon``, the shop now);
- commit order: each transaction, just before commit, takes an advisory lock and
  stamps its rows with a position from a sequence; the lock makes positions follow
  commit order, so the relay reads ``position > checkpoint``;
- gap timeout: read by ``id``; at a hole, wait up to ``--gap-timeout`` for it to
  fill, then go past it.

Three stories, each measuring the time from a message's commit to a relay reading it
(p50 / p99 / max, ms), the messages each relay never read (skipped), and for the
first one the writers' commits per second:

1. steady load: ``--writers`` threads committing as fast as they can;
2. a transaction left open in another database of the server (``postgres``);
3. a slow writer in this database: every 0.5 s one transaction stays open
   ``--slow-ms`` after writing its message, longer than the gap timeout.

Plus the write cost of the commit-order stamp alone (commits per second with and
without it, for 1, 4 and 8 writer threads) and the cost of one poll that finds nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from shared.horizon import read_horizon
from shop.migrate import scratch_postgresql_database

INSERT_MESSAGE = text(
    "INSERT INTO bench_outbox (tx_id, written_at)"
    " VALUES (CAST(CAST(pg_current_xact_id() AS text) AS bigint), 0) RETURNING id"
)
STAMP_COMMIT_POSITION = text(
    "UPDATE bench_outbox SET commit_position = nextval('bench_commit_position')"
    " WHERE tx_id = CAST(CAST(pg_current_xact_id() AS text) AS bigint)"
)
SCHEMA = """
CREATE TABLE bench_outbox (
    id bigserial PRIMARY KEY,
    tx_id bigint NOT NULL,
    commit_position bigint,
    written_at double precision NOT NULL
);
CREATE SEQUENCE bench_commit_position;
CREATE INDEX ON bench_outbox (tx_id, id);
CREATE INDEX ON bench_outbox (commit_position, id);
"""
COMMIT_ORDER_LOCK = 7_340_033


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    with scratch_postgresql_database(server_url, "shop_bench_horizon") as url:
        engine = create_engine(url)
        with engine.begin() as connection:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(text(statement))
        engine.dispose()
        yield url


@dataclass
class Commits:
    """When each message's transaction finished committing, by id (wall clock, seconds)."""

    at: dict[int, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, message_id: int) -> None:
        now = time.time()
        with self.lock:
            self.at[message_id] = now


def write_one(connection: Connection, *, stamp: bool, hold_seconds: float = 0.0) -> int:
    message_id: int = connection.execute(INSERT_MESSAGE).scalar_one()
    if hold_seconds:
        time.sleep(hold_seconds)  # the work a slow transaction does after writing
    if stamp:
        # Last thing before COMMIT; the lock is held until the commit is visible.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": COMMIT_ORDER_LOCK})
        connection.execute(STAMP_COMMIT_POSITION)
    connection.commit()
    return message_id


class Relay:
    """Reads new message ids in its own order; remembers when it first saw each."""

    name = ""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: dict[int, float] = {}

    def poll(self) -> None:
        for message_id in self.read():
            self.seen.setdefault(message_id, time.time())

    def read(self) -> list[int]:
        raise NotImplementedError


class ServerHorizon(Relay):
    name = "server horizon"
    checkpoint = (-1, 0)

    def read(self) -> list[int]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT tx_id, id FROM bench_outbox WHERE (tx_id, id) > (:t, :i)"
                    " AND tx_id < CAST(CAST(pg_snapshot_xmin(pg_current_snapshot())"
                    " AS text) AS bigint) ORDER BY tx_id, id LIMIT 1000"
                ),
                {"t": self.checkpoint[0], "i": self.checkpoint[1]},
            ).all()
        if rows:
            self.checkpoint = (rows[-1].tx_id, rows[-1].id)
        return [row.id for row in rows]


class DatabaseHorizon(Relay):
    name = "database horizon"
    checkpoint = (-1, 0)

    def read(self) -> list[int]:
        with Session(self.engine) as session:
            horizon = read_horizon(session).position
        with self.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT tx_id, id FROM bench_outbox WHERE (tx_id, id) > (:t, :i)"
                    " AND tx_id < :h ORDER BY tx_id, id LIMIT 1000"
                ),
                {"t": self.checkpoint[0], "i": self.checkpoint[1], "h": horizon},
            ).all()
        if rows:
            self.checkpoint = (rows[-1].tx_id, rows[-1].id)
        return [row.id for row in rows]


class CommitOrder(Relay):
    name = "commit order"
    checkpoint = (-1, 0)

    def read(self) -> list[int]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT commit_position, id FROM bench_outbox"
                    " WHERE (commit_position, id) > (:p, :i) ORDER BY commit_position, id"
                    " LIMIT 1000"
                ),
                {"p": self.checkpoint[0], "i": self.checkpoint[1]},
            ).all()
        if rows:
            self.checkpoint = (rows[-1].commit_position, rows[-1].id)
        return [row.id for row in rows]


class GapTimeout(Relay):
    name = "gap timeout"

    def __init__(self, engine: Engine, timeout_seconds: float) -> None:
        super().__init__(engine)
        self.timeout_seconds = timeout_seconds
        self.last = 0
        self.gap_since: float | None = None

    def read(self) -> list[int]:
        with self.engine.connect() as connection:
            ids = list(
                connection.execute(
                    text("SELECT id FROM bench_outbox WHERE id > :last ORDER BY id LIMIT 1000"),
                    {"last": self.last},
                ).scalars()
            )
        read: list[int] = []
        for message_id in ids:
            if message_id != self.last + 1:
                self.gap_since = self.gap_since or time.time()
                if time.time() - self.gap_since < self.timeout_seconds:
                    break
            self.gap_since = None
            self.last = message_id
            read.append(message_id)
        return read


@dataclass(frozen=True)
class Outcome:
    relay: str
    read: int
    skipped: int
    delays_ms: list[float]

    def line(self) -> str:
        if not self.delays_ms:
            return f"  {self.relay:<17} read {self.read:>6}  skipped {self.skipped:>4}  (none read)"
        delays = sorted(self.delays_ms)
        p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
        return (
            f"  {self.relay:<17} read {self.read:>6}  skipped {self.skipped:>4}"
            f"  p50 {statistics.median(delays):>8.1f}  p99 {p99:>8.1f}  max {delays[-1]:>8.1f} ms"
        )


def run_story(
    url: str,
    *,
    seconds: float,
    writers: int,
    gap_timeout: float,
    slow_every: float | None = None,
    slow_seconds: float = 0.0,
    interval: float = 0.0,
) -> tuple[list[Outcome], float]:
    """Writers commit for ``seconds``; four relays poll; returns outcomes and commits/s."""
    engine = create_engine(url, pool_size=writers + 6)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE bench_outbox RESTART IDENTITY"))
    commits = Commits()
    relays: list[Relay] = [
        ServerHorizon(engine),
        DatabaseHorizon(engine),
        CommitOrder(engine),
        GapTimeout(engine, gap_timeout),
    ]
    stop_writing, stop_reading = threading.Event(), threading.Event()

    def write(number: int) -> None:
        with engine.connect() as connection:
            while not stop_writing.is_set():
                commits.record(write_one(connection, stamp=True))
                if interval:
                    stop_writing.wait(interval)

    def write_slowly() -> None:
        assert slow_every is not None
        with engine.connect() as connection:
            while not stop_writing.wait(slow_every):
                commits.record(write_one(connection, stamp=True, hold_seconds=slow_seconds))

    def read(relay: Relay) -> None:
        while not stop_reading.is_set():
            relay.poll()
            stop_reading.wait(0.005)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    if slow_every is not None:
        threads.append(threading.Thread(target=write_slowly))
    readers = [threading.Thread(target=read, args=(relay,)) for relay in relays]
    started = time.time()
    for thread in [*readers, *threads]:
        thread.start()
    time.sleep(seconds)
    stop_writing.set()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    time.sleep(1.0)  # everything committed gets a last chance to be read
    stop_reading.set()
    for thread in readers:
        thread.join()
    engine.dispose()
    outcomes = [
        Outcome(
            relay=relay.name,
            read=len(relay.seen),
            skipped=len(set(commits.at) - set(relay.seen)),
            delays_ms=[
                max(0.0, (relay.seen[m] - commits.at[m]) * 1000)
                for m in relay.seen
                if m in commits.at
            ],
        )
        for relay in relays
    ]
    return outcomes, len(commits.at) / elapsed


def write_throughput(url: str, *, threads: int, stamp: bool, seconds: float) -> float:
    engine = create_engine(url, pool_size=threads + 2)
    count = [0] * threads
    stop = threading.Event()

    def write(number: int) -> None:
        with engine.connect() as connection:
            while not stop.is_set():
                write_one(connection, stamp=stamp)
                count[number] += 1

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    engine.dispose()
    return sum(count) / seconds


@contextmanager
def idle_transaction_in_another_database(url: str) -> Iterator[None]:
    engine = create_engine(make_url(url).set(database="postgres"))
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_current_xact_id()"))
        yield
        connection.rollback()
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server URL")
    parser.add_argument("--seconds", type=float, default=5.0, help="per story (default 5)")
    parser.add_argument("--writers", type=int, default=4, help="writer threads (default 4)")
    parser.add_argument("--gap-timeout", type=float, default=0.1, help="seconds (default 0.1)")
    parser.add_argument("--slow-ms", type=float, default=300, help="default 300")
    arguments = parser.parse_args(argv)
    story: Callable[..., tuple[list[Outcome], float]] = run_story

    with scratch_database(arguments.database_url) as url:
        print("write cost of the commit-order stamp (commits/s, one message each)")
        for threads in (1, 4, 8):
            plain = write_throughput(url, threads=threads, stamp=False, seconds=arguments.seconds)
            stamped = write_throughput(url, threads=threads, stamp=True, seconds=arguments.seconds)
            print(
                f"  {threads} writers: plain {plain:>7.0f}  stamped {stamped:>7.0f}"
                f"  ({stamped / plain:.2f}x)"
            )

        print("\ncost of one poll with nothing new (ms, mean of 300)")
        engine = create_engine(url)
        for relay in (
            ServerHorizon(engine),
            DatabaseHorizon(engine),
            CommitOrder(engine),
            GapTimeout(engine, arguments.gap_timeout),
        ):
            relay.poll()
            started = time.perf_counter()
            for _ in range(300):
                relay.poll()
            print(f"  {relay.name:<17} {(time.perf_counter() - started) / 300 * 1000:.2f}")
        engine.dispose()

        print(f"\n1. steady load, {arguments.writers} writers (delay from commit to read)")
        outcomes, rate = story(
            url,
            seconds=arguments.seconds,
            writers=arguments.writers,
            gap_timeout=arguments.gap_timeout,
        )
        print(f"  writers committed {rate:.0f}/s")
        for outcome in outcomes:
            print(outcome.line())

        print("\n2. a transaction left open in another database of the server")
        with idle_transaction_in_another_database(url):
            outcomes, _ = story(
                url,
                seconds=arguments.seconds,
                writers=1,
                gap_timeout=arguments.gap_timeout,
                interval=0.01,
            )
        for outcome in outcomes:
            print(outcome.line())

        print(
            f"\n3. a slow writer in this database: open {arguments.slow_ms:.0f} ms after writing,"
            f" every 0.5 s (gap timeout {arguments.gap_timeout * 1000:.0f} ms)"
        )
        outcomes, _ = story(
            url,
            seconds=arguments.seconds,
            writers=1,
            gap_timeout=arguments.gap_timeout,
            slow_every=0.5,
            slow_seconds=arguments.slow_ms / 1000,
            interval=0.01,
        )
        for outcome in outcomes:
            print(outcome.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
