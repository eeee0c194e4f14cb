"""The reliability checks' harness: a shop served by a child process, customers that check
out over HTTP as real clients do, a read-only watch on the relay's checkpoint, and the
figures a run reports.

Everything here talks to the shop the way the outside world does: over HTTP, through
``shop`` commands, or with read-only queries on its tables. Nothing is driven by hand.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import Engine, create_engine, func, pool, select, text
from sqlalchemy.engine import make_url

from modules.orders.infrastructure.tables import order_views
from modules.payments.infrastructure.tables import payment_views, sandbox_notifications
from modules.shipments.infrastructure.tables import package_views
from shared.clock import SystemClock
from shared.outbox import outbox_messages
from shared.relay import relay_checkpoints
from shared.web.auth import Role, TokenService
from tests.support import eventually, loopback_listener

T = TypeVar("T")

# debt 01: at-least-once redelivery meets handlers that are not idempotent, so a kill or a
# cut between a message's handlers and its checkpoint can make twin orders, captures and
# packages. The checks report them; step 01 sets this to False and they must be 0.
TWINS_ALLOWED = True

# The console script of the environment running the tests (.venv/bin/shop), importing the
# code these tests come from (a workshop worktree's, say), not whatever the venv points at.
SHOP = Path(sys.executable).with_name("shop")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
TOKEN_SECRET = "reliability-checks-token-secret-0123456789"
RELAY_NAME = "main"
# Products the seed stocks; the harness raises their stock so that twins never run short.
PRODUCTS = ("espresso-beans-1kg", "ceramic-mug", "paper-filters-100", "green-tea-100g")
STOCK = 10_000
FINAL_STATUSES = ("completed", "cancelled")
# A client's pause before it tries a request again: the server answered 503, or the
# connection died; longer when nothing listens (the server is restarting), so that the
# clients' retries do not slow its start down on a small machine.
RETRY_PAUSE_SECONDS = 0.05
REFUSED_PAUSE_SECONDS = 0.25
REQUEST_TIMEOUT_SECONDS = 10.0


def seed_from_environment() -> int:
    """``SHOP_SOAK_SEED`` replays a run; without it each run draws its own (and prints it)."""
    given = os.environ.get("SHOP_SOAK_SEED", "")
    return int(given) if given else random.SystemRandom().randrange(1_000_000)


def free_port() -> int:
    listener = loopback_listener()
    try:
        port: int = listener.getsockname()[1]
    finally:
        listener.close()
    return port


class ServedShop:
    """``shop serve`` in a child process, relay and sandbox provider included, on one port.

    :meth:`kill` is SIGKILL: no shutdown hook runs, connections and the relay's lease
    session die with the process. :meth:`start` again serves on the same port.
    """

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._log_path = workdir / "shop-serve.log"
        self._workdir = workdir
        self._process: subprocess.Popen[bytes] | None = None
        self._started_at = 0.0
        self.starts = 0
        self.slowest_start_seconds = 0.0

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def environment(self) -> dict[str, str]:
        inherited = {name: value for name, value in os.environ.items() if "SHOP_" not in name}
        python_path = os.pathsep.join(
            filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])
        )
        return {
            **inherited,
            "PYTHONPATH": python_path,
            "SHOP_ENV": "dev",
            "SHOP_DATABASE_URL": self.database_url,
            "SHOP_PUBLIC_BASE_URL": self.base_url,
            "SHOP_TOKEN_SECRET": TOKEN_SECRET,
            "SHOP_SANDBOX_POLL_SECONDS": "0.05",
            "SHOP_RELAY_POLL_SECONDS": "0.05",
            "SHOP_RELAY_RETRY_SECONDS": "0.2",
            "SHOP_LOG_LEVEL": "INFO",
        }

    def start(self) -> None:
        assert self._process is None, "already running"
        with self._log_path.open("ab") as log:
            log.write(f"---- start {self.starts + 1} ----\n".encode())
            log.flush()
            # cwd: a folder with no .env, so that only the environment above counts.
            self._process = subprocess.Popen(  # noqa: S603 - our own console script
                [str(SHOP), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=self._workdir,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        self._started_at = time.monotonic()

    def wait_ready(self, timeout: float = 30.0) -> None:
        def answers() -> bool:
            process = self._process
            if process is not None and process.poll() is not None:
                msg = f"shop serve exited with {process.returncode}:\n{self.log_tail()}"
                raise AssertionError(msg)
            try:
                return httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        eventually(
            answers,
            timeout=timeout,
            interval=0.1,
            what=f"shop serve answering /health\n{self.log_tail()}",
        )
        took = time.monotonic() - self._started_at
        self.slowest_start_seconds = max(self.slowest_start_seconds, took)

    def kill(self) -> None:
        """SIGKILL, at whatever point the process is."""
        process, self._process = self._process, None
        assert process is not None, "not running"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        if not self._log_path.exists():
            return ""
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])

    def answers(self) -> Counter[tuple[str, int]]:
        """Every answer the server logged (``shop.http``, one line per request), by path and
        status: the webhook's and the health checks' too, which no client here counts."""
        answered: Counter[tuple[str, int]] = Counter()
        if not self._log_path.exists():
            return answered
        for line in self._log_path.read_text(errors="replace").splitlines():
            fields = line.split()
            if len(fields) >= 7 and fields[3] == "shop.http" and fields[6].isdigit():
                answered[(f"{fields[4]} {fields[5]}", int(fields[6]))] += 1
        return answered

    def server_errors(self) -> dict[str, int]:
        """Answers 500 and up, 503 (the database is unavailable: try again) apart."""
        return {
            f"{request} {status}": count
            for (request, status), count in self.answers().items()
            if status >= 500 and status != 503
        }

    def outbox_report(self) -> dict[str, Any]:
        """``shop outbox --json``, the operator's view of the relay, from another process."""
        done = subprocess.run(  # noqa: S603 - our own console script
            [str(SHOP), "outbox", "--json"],
            cwd=self._workdir,
            env=self.environment(),
            capture_output=True,
            timeout=60,
            check=True,
        )
        report: dict[str, Any] = json.loads(done.stdout)
        return report


@contextmanager
def served(database_url: str, workdir: Path) -> Iterator[ServedShop]:
    shop = ServedShop(database_url, workdir)
    shop.start()
    try:
        shop.wait_ready()
        yield shop
    finally:
        shop.stop()


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # the checkout request got a 2xx
    # The request went out, the answer was lost (the server died, or a 503), and the retry
    # found the cart already confirmed: the checkout happened, the client was not told.
    CONFIRMED_UNANSWERED = "confirmed without an answer"


@dataclass
class Traffic:
    """What the clients saw, across threads: statuses, and requests that got no answer."""

    statuses: Counter[int] = field(default_factory=Counter)
    refused: int = 0  # no connection: the server was down
    cut: int = 0  # sent, and the connection died before the answer
    server_errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, method: str, path: str, response: httpx.Response) -> None:
        with self._lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500 and response.status_code != 503:
                self.server_errors.append(
                    f"{method} {path} -> {response.status_code}: {response.text[:300]}"
                )

    def unanswered(self, *, sent: bool) -> None:
        with self._lock:
            if sent:
                self.cut += 1
            else:
                self.refused += 1


class Customer:
    """A customer's client: adds one product, then checks out with ``tok_ok``.

    As a real client does, it tries again a request that got no answer (the server
    died) or a 503, until its deadline. Both writes carry ``If-Match``, so a retry of
    a write that had landed is refused (412) instead of being applied twice.
    """

    def __init__(
        self, customer_id: str, product_id: str, base_url: str, traffic: Traffic, deadline: float
    ) -> None:
        self.customer_id = customer_id
        self.product_id = product_id
        self._traffic = traffic
        self._deadline = deadline
        token = TokenService(TOKEN_SECRET, timedelta(hours=1), SystemClock()).mint(
            customer_id, Role.CUSTOMER
        )
        self._http = httpx.Client(
            base_url=base_url,
            timeout=REQUEST_TIMEOUT_SECONDS,
            headers={"Authorization": f"Bearer {token}"},
        )

    def check_out(self) -> Outcome:
        try:
            self._add_the_product()
            return self._confirm()
        finally:
            self._http.close()

    def _add_the_product(self) -> None:
        while True:
            cart, version = self._cart()
            if any(item["product_id"] == self.product_id for item in cart["items"]):
                return
            added, _ = self._send(
                "POST",
                "/api/cart/items",
                json={"product_id": self.product_id, "quantity": 1},
                headers={"If-Match": version},
            )
            if added.status_code == 200:
                return
            # 412: an earlier attempt landed; the next look at the cart says so.
            assert added.status_code == 412, f"{self.customer_id}: {added.text}"

    def _confirm(self) -> Outcome:
        cart, version = self._cart()
        assert cart["items"], f"{self.customer_id}: the cart is empty before checkout"
        confirmed, uncertain = self._send(
            "POST",
            "/api/cart/checkout",
            json={"payment_method": "tok_ok"},
            headers={"If-Match": version},
        )
        if confirmed.status_code == 202:
            return Outcome.ACCEPTED
        assert uncertain, f"{self.customer_id}: checkout refused: {confirmed.text}"
        assert confirmed.status_code == 412, f"{self.customer_id}: {confirmed.text}"
        after, _ = self._cart()
        assert not after["items"], f"{self.customer_id}: 412, yet the cart was not confirmed"
        return Outcome.CONFIRMED_UNANSWERED

    def _cart(self) -> tuple[dict[str, Any], str]:
        response, _ = self._send("GET", "/api/cart")
        assert response.status_code == 200, f"{self.customer_id}: {response.text}"
        cart: dict[str, Any] = response.json()
        return cart, response.headers["ETag"]

    def _send(self, method: str, path: str, **options: Any) -> tuple[httpx.Response, bool]:
        """The first answer that is not a 503, and whether an earlier attempt may have landed."""
        uncertain = False
        while True:
            if time.monotonic() > self._deadline:
                msg = f"{self.customer_id}: {method} {path} got no answer before the deadline"
                raise AssertionError(msg)
            try:
                response = self._http.request(method, path, **options)
            except httpx.ConnectError:
                # Nothing was sent: the server is down.
                self._traffic.unanswered(sent=False)
                time.sleep(REFUSED_PAUSE_SECONDS)
                continue
            except httpx.TransportError:
                # Sent, and the connection died before the answer: it may have landed.
                self._traffic.unanswered(sent=True)
                uncertain = True
                time.sleep(RETRY_PAUSE_SECONDS)
                continue
            self._traffic.answered(method, path, response)
            if response.status_code == 503:
                # The database failed under the request: its commit may have gone through.
                uncertain = True
                time.sleep(RETRY_PAUSE_SECONDS)
                continue
            return response, uncertain


def raise_stock(base_url: str) -> None:
    """Enough stock of every product the customers buy for twin orders to ship too."""
    token = TokenService(TOKEN_SECRET, timedelta(hours=1), SystemClock()).mint("ops", Role.ADMIN)
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS) as http:
        for product_id in PRODUCTS:
            response = http.put(
                f"/api/inventory/{product_id}",
                json={"quantity": STOCK},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200, response.text


def customers_of(
    base_url: str, traffic: Traffic, *, prefix: str, count: int, deadline: float
) -> list[Customer]:
    """``count`` customers named ``prefix-NNN``, each buying one of :data:`PRODUCTS` in turn."""
    return [
        Customer(
            f"{prefix}-{index:03d}", PRODUCTS[index % len(PRODUCTS)], base_url, traffic, deadline
        )
        for index in range(count)
    ]


def run_customers(
    customers: list[Customer], starts: list[float]
) -> tuple[list[threading.Thread], dict[str, Outcome | BaseException]]:
    """Starts each customer in its own thread, ``starts[i]`` seconds from now."""
    results: dict[str, Outcome | BaseException] = {}
    lock = threading.Lock()
    began = time.monotonic()

    def run(customer: Customer, start: float) -> None:
        # Pacing, not waiting for a condition: checkouts spread over the run.
        time.sleep(max(0.0, began + start - time.monotonic()))
        try:
            outcome: Outcome | BaseException = customer.check_out()
        except BaseException as error:
            outcome = error
        with lock:
            results[customer.customer_id] = outcome

    threads = [
        threading.Thread(target=run, args=(customer, start), name=customer.customer_id)
        for customer, start in zip(customers, starts, strict=True)
    ]
    for thread in threads:
        thread.start()
    return threads, results


def join_all(threads: list[threading.Thread], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    alive = [thread.name for thread in threads if thread.is_alive()]
    assert not alive, f"customers still running after {timeout:.0f}s: {alive}"


def read_only_engine(database_url: str) -> Engine:
    return create_engine(database_url, poolclass=pool.NullPool)


@dataclass(frozen=True)
class Sample:
    position: tuple[int, int]
    epoch: int
    oldest_waiting_seconds: float | None


class RelayWatch:
    """Samples the relay's checkpoint from the database, read-only, every ``interval``.

    Records each sample whose position or fencing epoch is behind the one before it,
    and the oldest committed message's wait (the relay's delay, downtime included).
    A failed sample (the connection was cut) is counted and the watch reconnects.
    """

    def __init__(self, database_url: str, interval: float = 0.05) -> None:
        self._engine = read_only_engine(database_url)
        self._interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="relay-watch")
        self.samples = 0
        self.failed_samples = 0
        self.backwards: list[str] = []
        self.max_delay_seconds = 0.0
        self._last: Sample | None = None

    def delivering(self) -> bool:
        """Whether the last sample saw committed messages waiting: the relay has work."""
        last = self._last
        return last is not None and last.oldest_waiting_seconds is not None

    def __enter__(self) -> RelayWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)
        self._engine.dispose()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                sample = self.sample()
            except Exception:
                self.failed_samples += 1
            else:
                if sample is not None:
                    self._observe(sample)
            self._stopping.wait(self._interval)

    def sample(self) -> Sample | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(
                    relay_checkpoints.c.tx_id,
                    relay_checkpoints.c.message_position,
                    relay_checkpoints.c.lease_epoch,
                ).where(relay_checkpoints.c.relay_name == RELAY_NAME)
            ).one_or_none()
            if row is None:
                return None
            tx_id, position = row.tx_id, row.message_position
            waiting = connection.execute(
                select(
                    func.extract("epoch", func.now() - func.min(outbox_messages.c.recorded_at))
                ).where(
                    (outbox_messages.c.tx_id > tx_id)
                    | ((outbox_messages.c.tx_id == tx_id) & (outbox_messages.c.id > position))
                )
            ).scalar_one()
        return Sample(
            (tx_id, position), row.lease_epoch, None if waiting is None else float(waiting)
        )

    def _observe(self, sample: Sample) -> None:
        self.samples += 1
        last, self._last = self._last, sample
        if sample.oldest_waiting_seconds is not None:
            self.max_delay_seconds = max(self.max_delay_seconds, sample.oldest_waiting_seconds)
        if last is None:
            return
        if sample.position < last.position:
            self.backwards.append(f"checkpoint {last.position} -> {sample.position}")
        if sample.epoch < last.epoch:
            self.backwards.append(f"lease epoch {last.epoch} -> {sample.epoch}")


@dataclass(frozen=True)
class FinalState:
    """The shop's state once it has settled, read from its tables."""

    orders: dict[str, list[str]]  # customer -> statuses of their orders
    payments_captured: Counter[str]  # order id -> payments succeeded
    packages_sent: Counter[str]  # order id -> packages sent
    backlog: int
    notifications_waiting: int

    def settled_for(self, confirmed: set[str]) -> bool:
        return (
            self.backlog == 0
            and self.notifications_waiting == 0
            and all(self.orders.get(customer) for customer in confirmed)
            and all(
                status in FINAL_STATUSES for statuses in self.orders.values() for status in statuses
            )
        )

    @property
    def twin_orders(self) -> int:
        return sum(len(statuses) - 1 for statuses in self.orders.values() if statuses)

    @property
    def duplicate_captures(self) -> int:
        return sum(count - 1 for count in self.payments_captured.values() if count > 1)

    @property
    def duplicate_packages(self) -> int:
        return sum(count - 1 for count in self.packages_sent.values() if count > 1)


def final_state(engine: Engine) -> FinalState:
    with engine.connect() as connection:
        orders: dict[str, list[str]] = {}
        for customer_id, status in connection.execute(
            select(order_views.c.customer_id, order_views.c.status)
        ):
            orders.setdefault(customer_id, []).append(status)
        captured = Counter(
            str(order_id)
            for order_id in connection.execute(
                select(payment_views.c.order_id).where(payment_views.c.status == "succeeded")
            ).scalars()
        )
        sent = Counter(
            str(order_id)
            for order_id in connection.execute(
                select(package_views.c.order_id).where(package_views.c.status == "sent")
            ).scalars()
        )
        checkpoint = connection.execute(
            select(relay_checkpoints.c.tx_id, relay_checkpoints.c.message_position).where(
                relay_checkpoints.c.relay_name == RELAY_NAME
            )
        ).one_or_none()
        tx_id, position = (-1, 0) if checkpoint is None else tuple(checkpoint)
        backlog = connection.execute(
            select(func.count()).where(
                (outbox_messages.c.tx_id > tx_id)
                | ((outbox_messages.c.tx_id == tx_id) & (outbox_messages.c.id > position))
            )
        ).scalar_one()
        waiting = connection.execute(
            select(func.count()).where(sandbox_notifications.c.delivered_at.is_(None))
        ).scalar_one()
    return FinalState(orders, captured, sent, backlog, waiting)


def settle(engine: Engine, confirmed: set[str], timeout: float) -> FinalState:
    """Waits until every confirmed checkout's orders are final and nothing waits to be sent."""
    seen: list[FinalState] = []

    def settled() -> FinalState | None:
        state = final_state(engine)
        seen[:] = [state]
        return state if state.settled_for(confirmed) else None

    try:
        return eventually(settled, timeout=timeout, interval=0.2, what="the shop settling")
    except AssertionError:
        state = seen[0] if seen else None
        unfinished = (
            {}
            if state is None
            else {
                customer: state.orders.get(customer, [])
                for customer in sorted(confirmed)
                if set(state.orders.get(customer, [])) - {"completed"}
                or not state.orders.get(customer)
            }
        )
        backlog = None if state is None else state.backlog
        waiting = None if state is None else state.notifications_waiting
        msg = (
            f"not settled within {timeout:.0f}s: backlog {backlog}, provider notifications "
            f"waiting {waiting}, unfinished checkouts {unfinished}"
        )
        raise AssertionError(msg) from None


@dataclass(frozen=True)
class Checkouts:
    """How the customers' checkouts ended, once every client is done and the shop settled."""

    accepted: set[str]
    unanswered: set[str]  # confirmed, though the client was never told (Outcome)
    state: FinalState

    @property
    def confirmed(self) -> set[str]:
        return self.accepted | self.unanswered

    @property
    def lost(self) -> int:
        """Confirmed checkouts with no completed order, and messages never delivered."""
        incomplete = sum(
            1
            for customer in self.confirmed
            if "completed" not in self.state.orders.get(customer, [])
        )
        return incomplete + self.state.backlog

    def figures(self) -> list[tuple[str, object]]:
        """What both checks report of the checkouts: accepted, lost, and the twins."""
        return [
            ("accepted", len(self.accepted)),
            ("confirmed without an answer", len(self.unanswered)),
            ("messages lost", self.lost),
            ("twin orders", self.state.twin_orders),
            ("duplicate captures", self.state.duplicate_captures),
            ("duplicate packages", self.state.duplicate_packages),
        ]

    def assert_all_completed(self, customers: list[Customer]) -> None:
        """Every customer's checkout was confirmed and only completed orders came of it,
        nothing was lost, and, unless :data:`TWINS_ALLOWED`, no order, capture or package
        came twice."""
        assert self.confirmed == {customer.customer_id for customer in customers}
        orders = self.state.orders
        assert set(orders) == self.confirmed, "an order for a checkout that never happened"
        not_completed = {
            customer: statuses
            for customer, statuses in orders.items()
            if not statuses or set(statuses) != {"completed"}
        }
        assert not not_completed, not_completed
        assert self.lost == 0
        if not TWINS_ALLOWED:
            twins = (
                self.state.twin_orders,
                self.state.duplicate_captures,
                self.state.duplicate_packages,
            )
            assert twins == (0, 0, 0)


def finish_checkouts(
    threads: list[threading.Thread],
    outcomes: dict[str, Outcome | BaseException],
    database_url: str,
    *,
    client_deadline: float,
    settle_seconds: float,
) -> Checkouts:
    """Waits for every client, fails on any client's error, then for the shop to settle."""
    join_all(threads, client_deadline)
    failures = {
        name: repr(error) for name, error in outcomes.items() if isinstance(error, BaseException)
    }
    assert not failures, failures
    accepted = {name for name, outcome in outcomes.items() if outcome is Outcome.ACCEPTED}
    unanswered = {
        name for name, outcome in outcomes.items() if outcome is Outcome.CONFIRMED_UNANSWERED
    }
    engine = read_only_engine(database_url)
    try:
        state = settle(engine, accepted | unanswered, settle_seconds)
    finally:
        engine.dispose()
    return Checkouts(accepted, unanswered, state)


def terminate_backends(server_url: str, database: str) -> int:
    """Ends every session of ``database`` (as a failover or a proxy restart would)."""
    engine = create_engine(server_url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            ended: int = connection.execute(
                text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                    "FROM pg_stat_activity WHERE datname = :database AND pid <> pg_backend_pid()"
                ),
                {"database": database},
            ).scalar_one()
    finally:
        engine.dispose()
    return ended


@contextmanager
def connections_refused(server_url: str, database: str) -> Iterator[None]:
    """``database`` refuses new connections (sessions already open stay) until the block ends."""
    engine = create_engine(server_url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")

    def allow(allowed: bool) -> None:
        with engine.connect() as connection:
            connection.execute(
                text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
            )

    try:
        allow(False)
        yield
    finally:
        allow(True)
        engine.dispose()


def database_of(url: str) -> str:
    name = make_url(url).database
    assert name, url
    return name


def stagger(rng: random.Random, count: int, spread_seconds: float) -> list[float]:
    """When each customer starts, in seconds from the first: random, spread over the run."""
    return sorted(rng.uniform(0.0, spread_seconds) for _ in range(count))
