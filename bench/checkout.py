"""Checkouts end to end: completed checkouts per second, the relay's delay, what one costs.

    uv run python bench/checkout.py [--engines sqlite postgresql] [--final-state]
        [--checkouts 300] [--clients 4] [--paced 50] [--paced-checkouts 200]
    uv run python bench/checkout.py --add-item-over-http [--seconds 10]

The shop runs as production runs it (``shop_processes.py``): the web in one child process,
the background workers (outbox relay, projections, the sandbox payment provider's
notifier) in another. Client threads in this process check out over HTTP: a new customer
adds three products and confirms the cart with ``tok_ok``. From there everything goes the
real way: the relay delivers the outbox, payments asks the sandbox, the sandbox posts its
signed webhook to the web process, shipments sends the package, the order completes.

For each database, two phases. Saturated: ``--checkouts`` checkouts from ``--clients``
threads, as fast as they go. Paced: ``--paced-checkouts`` checkouts started at ``--paced``
per second, open loop. Each row reports completed checkouts per second (saturated), the
relay's delay (p50 / p99, both phases), and per checkout of the saturated phase: CPU time
of the shop's processes and of the database's backends, commits and SQL statements.

``--final-state`` also measures the refactored series' final state (every step applied),
in a temporary worktree, with the same script; runs alternate between the two states.
``--add-item-over-http`` measures something else: the add-item command over HTTP against
the same command called in-process. ``bench/README.md`` explains the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from shop_processes import ProcessReport, Role, ServedShop, served_shop
from sqlalchemy import Connection, create_engine, func, pool, select, text
from sqlalchemy.engine import make_url
from throughput import (
    ITEMS_PER_RETURNING_CUSTOMER,
    Command,
    Result,
    add_item_for,
    run_for,
    scratch_database,
)

from modules.carts.infrastructure.catalogue import SEED_PRODUCTS
from modules.orders.infrastructure.tables import order_views
from modules.shipments.application.commands import SetStock, set_stock
from shared.clock import SystemClock
from shared.settings import Settings
from shop.bootstrap import bootstrap
from shop.workshop.series import read_series, worktree_environment

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The console script of this environment (.venv/bin/shop).
SHOP = Path(sys.executable).with_name("shop")
DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ENGINES = ("sqlite", "postgresql")
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

PRODUCTS = ("espresso-beans-1kg", "ceramic-mug", "paper-filters-100")
STOCK = 1_000_000
PACED_THREADS = 16
ORDER_POLL_SECONDS = 0.02
REQUEST_TIMEOUT_SECONDS = 30.0
FINAL_STATUSES = ("completed", "cancelled")
ERRORS_KEPT = 5

# Goals: completed checkouts per second by (state, engine), and the relay's paced p99.
FINAL = "final"
MINIMUM_CHECKOUTS_PER_SECOND = {(FINAL, "postgresql"): 100.0, ("main", "postgresql"): 40.0}
PACED_P99_GOAL_MS = 50.0
HTTP_RATIO_GOAL = 0.8


# --- the clients -----------------------------------------------------------------------


@dataclass
class Clients:
    """What the client threads of one phase saw: checkouts accepted, errors, lateness."""

    accepted: int = 0
    errors: list[str] = field(default_factory=list)
    late_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record_checkout(self, http: httpx.Client, token: str) -> None:
        """Makes one checkout (:func:`check_out`); counts it accepted, or keeps its error."""
        try:
            check_out(http, token)
        except Exception as error:
            with self._lock:
                if len(self.errors) < ERRORS_KEPT:
                    self.errors.append(f"{type(error).__name__}: {error}")
        else:
            with self._lock:
                self.accepted += 1

    def started_late(self, seconds: float) -> None:
        with self._lock:
            self.late_seconds = max(self.late_seconds, seconds)


def check_out(http: httpx.Client, token: str) -> None:
    """A new customer's checkout over HTTP: adds :data:`PRODUCTS`, then confirms with tok_ok.

    Every write carries ``If-Match``: ``"0"`` first (a new customer's cart), then the
    ``ETag`` of the answer before, as a client that shows the cart does. Raises
    :class:`httpx.HTTPStatusError` on any answer but 200 (items) and 202 (checkout).
    """
    authorization = {"Authorization": f"Bearer {token}"}
    version = '"0"'
    for product_id in PRODUCTS:
        added = http.post(
            "/api/cart/items",
            json={"product_id": product_id, "quantity": 1},
            headers={**authorization, "If-Match": version},
        )
        _expect(added, 200)
        version = added.headers["ETag"]
    confirmed = http.post(
        "/api/cart/checkout",
        json={"payment_method": "tok_ok"},
        headers={**authorization, "If-Match": version},
    )
    _expect(confirmed, 202)


def _expect(response: httpx.Response, status: int) -> None:
    if response.status_code != status:
        msg = f"{response.request.method} {response.request.url.path}: {response.status_code}"
        raise httpx.HTTPStatusError(
            f"{msg} {response.text[:200]}", request=response.request, response=response
        )


def drive_saturated(shop: ServedShop, *, checkouts: int, clients: int) -> Clients:
    """``checkouts`` checkouts from ``clients`` threads, each with its own HTTP client, each
    starting its next checkout as soon as the last one was answered."""
    seen = Clients()
    stopping = threading.Event()

    def client(number: int) -> None:
        with httpx.Client(base_url=shop.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as http:
            for checkout in range(number, checkouts, clients):
                if stopping.is_set():
                    return
                seen.record_checkout(http, shop.tokens.mint(f"saturated-{checkout}"))

    threads = [
        threading.Thread(target=client, args=(number,), name=f"client-{number}")
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    finally:
        stopping.set()
        for thread in threads:
            thread.join()
    return seen


def drive_paced(shop: ServedShop, *, checkouts: int, rate: float) -> Clients:
    """``checkouts`` checkouts, one started every ``1 / rate`` seconds whether or not the
    ones before were answered (open loop), on a pool of :data:`PACED_THREADS` threads.

    A start that finds every thread busy is late; the latest is kept in ``late_seconds``.
    """
    seen = Clients()
    local = threading.local()
    opened: list[httpx.Client] = []
    opened_lock = threading.Lock()

    def http_client() -> httpx.Client:
        http: httpx.Client | None = getattr(local, "http", None)
        if http is None:
            http = local.http = httpx.Client(
                base_url=shop.base_url, timeout=REQUEST_TIMEOUT_SECONDS
            )
            with opened_lock:
                opened.append(http)
        return http

    def checkout(number: int, due: float) -> None:
        seen.started_late(time.perf_counter() - due)
        seen.record_checkout(http_client(), shop.tokens.mint(f"paced-{number}"))

    try:
        with ThreadPoolExecutor(PACED_THREADS, thread_name_prefix="paced") as threads:
            started = time.perf_counter()
            for number in range(checkouts):
                due = started + number / rate
                time.sleep(max(0.0, due - time.perf_counter()))
                threads.submit(checkout, number, due)
    finally:
        for http in opened:
            http.close()
    return seen


# --- what the database says ------------------------------------------------------------


class DatabaseWatch:
    """One connection of the benchmark's own: counts finished orders, and, on PostgreSQL,
    reads the CPU time of the backends serving the database.

    Autocommit: an open transaction in the database would hold the relay back on
    PostgreSQL (it reads only below the oldest running transaction).
    """

    def __init__(self, database_url: str) -> None:
        self._engine = create_engine(
            database_url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT"
        )
        self._connection: Connection = self._engine.connect()
        self._is_postgresql = self._engine.dialect.name == "postgresql"
        self._database = make_url(database_url).database or ""

    def close(self) -> None:
        self._connection.close()
        self._engine.dispose()

    def finished_orders(self) -> tuple[int, int]:
        """Orders (completed, completed or cancelled) in the read model now."""
        counts: dict[str, int] = {
            status: count
            for status, count in self._connection.execute(
                select(order_views.c.status, func.count())
                .where(order_views.c.status.in_(FINAL_STATUSES))
                .group_by(order_views.c.status)
            )
        }
        return counts.get("completed", 0), sum(counts.values())

    def wait_for_orders(self, finished: int, deadline: float) -> tuple[int, float]:
        """Polls every :data:`ORDER_POLL_SECONDS` until ``finished`` orders are completed or
        cancelled, or until ``deadline`` (``time.perf_counter()``); returns the orders
        completed and when the last poll saw them."""
        while True:
            completed, done = self.finished_orders()
            now = time.perf_counter()
            if done >= finished or now >= deadline:
                return completed, now
            time.sleep(ORDER_POLL_SECONDS)

    def backend_cpu(self) -> dict[int, float] | None:
        """CPU seconds so far of each backend of the database but this one, by pid; ``None``
        on SQLite, or when no backend's ``/proc`` entry could be read (server elsewhere)."""
        if not self._is_postgresql:
            return None
        pids = self._connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = :database AND pid <> pg_backend_pid()"
            ),
            {"database": self._database},
        ).scalars()
        seconds = {pid: cpu for pid in pids if (cpu := backend_cpu_seconds(pid)) is not None}
        return seconds or None


def backend_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` (``/proc/<pid>/stat``, fields 14 and 15),
    or ``None`` if it is gone or is not a PostgreSQL process of this machine."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    if not command.startswith(b"postgres"):
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = stat.rsplit(")", 1)[1].split()
    user, system = int(fields[11]), int(fields[12])
    return (user + system) / os.sysconf("SC_CLK_TCK")


def cpu_used(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
    """CPU seconds the backends used between two :meth:`DatabaseWatch.backend_cpu` readings;
    a backend that did not exist before counts from 0, one that ended meanwhile is lost."""
    if before is None or after is None:
        return None
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


# --- one measurement -------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """What one phase measured: ``seconds`` runs from the first request to the poll that
    saw the last order finish; the reports are the children's, by role."""

    requested: int
    completed: int
    seconds: float
    reports: dict[Role, ProcessReport]
    database_cpu_seconds: float | None
    clients: Clients

    @property
    def relay_delays(self) -> list[float]:
        return sorted(delay for report in self.reports.values() for delay in report.relay_delays)


def run_phase(
    shop: ServedShop,
    watch: DatabaseWatch,
    requested: int,
    drive: Callable[[], Clients],
    *,
    timeout: float,
) -> Phase:
    """Resets the children, runs ``drive`` (the clients), waits for every accepted checkout's
    order to finish (``timeout`` seconds at most), then asks the children for their reports."""
    completed_before, finished_before = watch.finished_orders()
    shop.reset()
    cpu_before = watch.backend_cpu()
    started = time.perf_counter()
    clients = drive()
    completed, ended = watch.wait_for_orders(finished_before + clients.accepted, started + timeout)
    cpu_after = watch.backend_cpu()
    return Phase(
        requested=requested,
        completed=completed - completed_before,
        seconds=ended - started,
        reports=shop.reports(),
        database_cpu_seconds=cpu_used(cpu_before, cpu_after),
        clients=clients,
    )


@dataclass
class Row:
    """One (state, engine) measurement, as printed and as written by ``--json-out``.

    Times are milliseconds; per-checkout figures come from the saturated phase.
    ``relay_module`` is the file the worker process imported ``shared.relay`` from: whose
    code ran.
    """

    state: str
    engine: str
    checkouts: int
    completed: int
    seconds: float
    paced_rate: float
    paced_checkouts: int
    paced_completed: int
    paced_late_ms: float
    paced_p50_ms: float
    paced_p99_ms: float
    saturated_p50_ms: float
    saturated_p99_ms: float
    layout: str
    web_cpu_ms: float
    worker_cpu_ms: float
    database_cpu_ms: float | None
    commits: float
    statements: float
    errors: list[str]
    relay_module: str

    @property
    def checkouts_per_second(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    @property
    def shop_cpu_ms(self) -> float:
        return self.web_cpu_ms + self.worker_cpu_ms

    @property
    def complete(self) -> bool:
        return self.completed == self.checkouts and self.paced_completed == self.paced_checkouts


def row_of(state: str, engine: str, saturated: Phase, paced: Phase, rate: float) -> Row:
    """The row of ``state`` on ``engine`` from its two phases."""
    per_checkout = max(saturated.completed, 1)
    reports = saturated.reports.values()
    database_cpu = saturated.database_cpu_seconds
    return Row(
        state=state,
        engine=engine,
        checkouts=saturated.requested,
        completed=saturated.completed,
        seconds=saturated.seconds,
        paced_rate=rate,
        paced_checkouts=paced.requested,
        paced_completed=paced.completed,
        paced_late_ms=paced.clients.late_seconds * 1000,
        paced_p50_ms=percentile(paced.relay_delays, 0.5) * 1000,
        paced_p99_ms=percentile(paced.relay_delays, 0.99) * 1000,
        saturated_p50_ms=percentile(saturated.relay_delays, 0.5) * 1000,
        saturated_p99_ms=percentile(saturated.relay_delays, 0.99) * 1000,
        layout="+".join(saturated.reports),
        web_cpu_ms=_cpu_ms(saturated, "web", "serve") / per_checkout,
        worker_cpu_ms=_cpu_ms(saturated, "worker") / per_checkout,
        database_cpu_ms=None if database_cpu is None else database_cpu * 1000 / per_checkout,
        commits=sum(report.commits for report in reports) / per_checkout,
        statements=sum(report.statements for report in reports) / per_checkout,
        errors=saturated.clients.errors + paced.clients.errors,
        relay_module=next(iter(reports)).relay_module,
    )


def _cpu_ms(phase: Phase, *roles: Role) -> float:
    return sum(phase.reports[role].cpu_seconds * 1000 for role in roles if role in phase.reports)


LAYOUTS: dict[str, tuple[Role, ...]] = {
    # As each engine is deployed (README): PostgreSQL's relay hears other processes'
    # commits through LISTEN/NOTIFY; SQLite's only by polling, so it runs in `shop serve`.
    "postgresql": ("web", "worker"),
    "sqlite": ("serve",),
}


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of the sorted ``ordered`` lie (0.0 if empty)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def stock_catalogue(database_url: str) -> None:
    """Seeds the catalogue, with enough stock of :data:`PRODUCTS` that no order is cancelled."""
    shop = bootstrap(Settings(_env_file=None, database_url=database_url), SystemClock())
    try:
        shop.seed()
        for product_id in PRODUCTS:
            set_stock(SetStock(product_id, STOCK), shop.shipments)
    finally:
        shop.close()


def measure(engine: str, arguments: argparse.Namespace) -> Row:
    """Both phases on a scratch database of ``engine``, with this checkout's code."""
    server_url = None if engine == "sqlite" else arguments.database_url
    with scratch_database(server_url) as (url, _):
        stock_catalogue(url)
        with served_shop(url, roles=LAYOUTS[engine]) as shop, _watching(url) as watch:

            def phase(requested: int, drive: Callable[[], Clients]) -> Phase:
                return run_phase(shop, watch, requested, drive, timeout=arguments.timeout)

            saturated = phase(
                arguments.checkouts,
                lambda: drive_saturated(
                    shop, checkouts=arguments.checkouts, clients=arguments.clients
                ),
            )
            paced = phase(
                arguments.paced_checkouts,
                lambda: drive_paced(
                    shop, checkouts=arguments.paced_checkouts, rate=arguments.paced
                ),
            )
    return row_of(arguments.state, engine, saturated, paced, arguments.paced)


@contextmanager
def _watching(database_url: str) -> Iterator[DatabaseWatch]:
    watch = DatabaseWatch(database_url)
    try:
        yield watch
    finally:
        watch.close()


# --- the series' final state -----------------------------------------------------------


@contextmanager
def worktree_of(state: str) -> Iterator[Path]:
    """A temporary worktree holding the code of ``state``: ``final`` (HEAD with every step
    of the series) or a git revision (the baseline).

    The final state's branch comes from ``shop workshop solution N --branch B --no-switch``
    (N: the last step with a patch); a revision is checked out detached. This checkout's
    ``bench/`` scripts are copied into the worktree, so that every state runs the same
    benchmark, committed or not. The worktree and the branch are removed on the way out,
    failures and Ctrl-C included.
    """
    branch = f"bench-final-state-{uuid.uuid4().hex[:8]}" if state == FINAL else None
    folder = Path(tempfile.mkdtemp(prefix=f"shop-bench-{state}-"))
    worktree = folder / "shop"
    try:
        if branch is not None:
            steps = len(read_series(PROJECT_ROOT).steps)
            _run([str(SHOP), "workshop", "solution", str(steps), "--branch", branch, "--no-switch"])
            _run(["git", "worktree", "add", "--quiet", str(worktree), branch])
        else:
            _run(["git", "worktree", "add", "--quiet", "--detach", str(worktree), state])
        for script in (PROJECT_ROOT / "bench").glob("*.py"):
            shutil.copy2(script, worktree / "bench" / script.name)
        yield worktree
    finally:
        if worktree.exists():
            _run(["git", "worktree", "remove", "--force", str(worktree)], check=False)
        if branch is not None:
            _run(["git", "branch", "--quiet", "-D", branch], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _run(command: list[str], *, check: bool = True) -> None:
    done = subprocess.run(  # noqa: S603 - git and this environment's shop, fixed arguments
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    if check and done.returncode != 0:
        msg = f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        raise SystemExit(msg)


def measure_in(worktree: Path, state: str, engine: str, arguments: argparse.Namespace) -> Row:
    """The same measurement of ``engine`` in ``worktree``: its copy of this script, run by
    this interpreter with the worktree first on ``PYTHONPATH``, so that its code is imported
    (checked: the row names the ``shared/relay.py`` its worker process ran)."""
    with tempfile.TemporaryDirectory(prefix="shop-bench-row-") as folder:
        json_out = Path(folder) / "row.json"
        command = [
            sys.executable,
            str(worktree / "bench" / "checkout.py"),
            *("--engines", engine, "--database-url", arguments.database_url),
            *("--checkouts", str(arguments.checkouts), "--clients", str(arguments.clients)),
            *("--paced", str(arguments.paced)),
            *("--paced-checkouts", str(arguments.paced_checkouts)),
            *("--timeout", str(arguments.timeout), "--json-out", str(json_out)),
            *("--state", state),
        ]
        process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            command,
            cwd=worktree,
            env=worktree_environment(worktree),
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            output, _ = process.communicate()
        except KeyboardInterrupt:
            # Ctrl-C reached it too: it stops its processes and drops its database.
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            raise
        if not json_out.exists():
            msg = f"the run of {state} failed (exit code {process.returncode}):\n{output}"
            raise SystemExit(msg)
        [measured] = json.loads(json_out.read_text())
    row = Row(**measured)
    if not Path(row.relay_module).resolve().is_relative_to(worktree.resolve()):
        msg = f"the run of {state} imported {row.relay_module}, not the worktree's code"
        raise SystemExit(msg)
    return row


# --- the table -------------------------------------------------------------------------


def goals(row: Row) -> list[tuple[str, bool]]:
    """The goals ``row`` is held to, each as (its figure against the goal, whether it is met)."""
    held: list[tuple[str, bool]] = []
    minimum = MINIMUM_CHECKOUTS_PER_SECOND.get((row.state, row.engine))
    if minimum is not None:
        held.append(
            (
                f"{row.checkouts_per_second:.1f} checkouts/s, goal >= {minimum:.0f}",
                row.checkouts_per_second >= minimum,
            )
        )
    held.append(
        (
            f"relay p99 paced {row.paced_p99_ms:.1f} ms, goal < {PACED_P99_GOAL_MS:.0f} ms",
            row.paced_p99_ms < PACED_P99_GOAL_MS,
        )
    )
    return held


def print_table(rows: Sequence[Row], arguments: argparse.Namespace) -> None:
    """One line per (state, engine), then the goals, then what went wrong, if anything."""
    print(
        f"{arguments.checkouts} checkouts from {arguments.clients} client threads (saturated),"
        f" then {arguments.paced_checkouts} started at {arguments.paced:g}/s (paced)."
    )
    print(
        f"{'state':<9} {'engine':<11} {'checkouts/s':>11} {'ratio':>7}"
        f" {'relay ms paced p50/p99':>23} {'saturated p50/p99':>18}"
        f" {'CPU ms shop/db':>15} {'commits':>8} {'statements':>10}"
    )
    # Each engine's first row is the reference of its ratios: the baseline, or main.
    reference_rate: dict[str, float] = {}
    for row in rows:
        reference_rate.setdefault(row.engine, row.checkouts_per_second)
    for row in rows:
        reference = reference_rate[row.engine]
        ratio = f"{row.checkouts_per_second / reference:.2f}" if reference else "-"
        database = "-" if row.database_cpu_ms is None else f"{row.database_cpu_ms:.1f}"
        print(
            f"{row.state[:9]:<9} {ENGINE_NAMES[row.engine]:<11} {row.checkouts_per_second:>11.1f}"
            f" {ratio:>7}"
            f" {_ms(row.paced_p50_ms) + ' / ' + _ms(row.paced_p99_ms):>23}"
            f" {_ms(row.saturated_p50_ms) + ' / ' + _ms(row.saturated_p99_ms):>18}"
            f" {f'{row.shop_cpu_ms:.1f} / {database}':>15}"
            f" {row.commits:>8.1f} {row.statements:>10.1f}"
        )
    print(
        "Per checkout (saturated phase): CPU of the web and worker processes / of the database's"
        " backends\n(- on SQLite: it runs inside the shop's processes), commits and SQL"
        " statements of both processes."
    )
    layouts = {f"{ENGINE_NAMES[row.engine]}: {row.layout}" for row in rows}
    print(f"Processes of the shop: {'; '.join(sorted(layouts))}.")
    print("Goals:")
    for row in rows:
        verdicts = "; ".join(
            f"{figure}: {'met' if met else 'NOT MET'}" for figure, met in goals(row)
        )
        print(f"  {row.state[:9]:<9} {ENGINE_NAMES[row.engine]:<11} {verdicts}")
    for row in rows:
        where = f"{row.state} {ENGINE_NAMES[row.engine]}"
        if not row.complete:
            print(
                f"{where}: INCOMPLETE, {row.completed} of {row.checkouts} saturated and"
                f" {row.paced_completed} of {row.paced_checkouts} paced checkouts completed"
            )
        for error in row.errors:
            print(f"{where}: {error}")
        if row.paced_late_ms > 1000 / row.paced_rate:
            print(
                f"{where}: a paced checkout started {row.paced_late_ms:.0f} ms late:"
                f" all {PACED_THREADS} client threads were busy"
            )


def _ms(milliseconds: float) -> str:
    return f"{milliseconds:.0f}" if milliseconds >= 100 else f"{milliseconds:.1f}"


# --- add item over HTTP against in-process ---------------------------------------------


def http_add_item(shop: ServedShop, http: httpx.Client, prefix: str) -> Command:
    """The add-item command over HTTP, 8 per returning customer, as ``throughput.py``'s
    in-process scenario: same customers' shape, same products in the same order. Each
    ``POST /api/cart/items`` carries the customer's token and ``If-Match`` (the ``ETag``
    of the answer before, ``"0"`` first); its answer is the cart, read back."""
    products = [product.product_id for product in SEED_PRODUCTS if product.available]
    # The customer being served: (id, headers, the cart's ETag).
    current = ("", {"": ""}, "")

    def command(thread: int, number: int) -> None:
        nonlocal current
        customer_id = f"{prefix}-{thread}-returning-{number // ITEMS_PER_RETURNING_CUSTOMER}"
        if customer_id != current[0]:
            current = (
                customer_id,
                {"Authorization": f"Bearer {shop.tokens.mint(customer_id)}"},
                '"0"',
            )
        _, authorization, version = current
        added = http.post(
            "/api/cart/items",
            json={"product_id": products[number % len(products)], "quantity": 1},
            headers={**authorization, "If-Match": version},
        )
        _expect(added, 200)
        current = (customer_id, authorization, added.headers["ETag"])

    return command


def numbered_on(command: Command) -> Command:
    """``command`` with its own call count: ``run_for`` counts from 0 at each call, and
    a round would then serve the customers of the round before again."""
    calls = itertools.count()
    return lambda thread, _: command(thread, next(calls))


def compare_add_item(engine: str, arguments: argparse.Namespace) -> None:
    """Add item in-process and over HTTP, one thread, interleaved round by round on one
    scratch database of ``engine``; prints both, and over HTTP / in process."""
    server_url = None if engine == "sqlite" else arguments.database_url
    with scratch_database(server_url) as (url, label):
        shop = bootstrap(Settings(_env_file=None, database_url=url), SystemClock())
        try:
            shop.seed()
            with (
                served_shop(url, roles=("web",)) as served,
                httpx.Client(base_url=served.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as http,
            ):
                prefix = uuid.uuid4().hex[:6]
                in_process = add_item_for(
                    lambda number: f"returning-{number // ITEMS_PER_RETURNING_CUSTOMER}"
                )
                commands = {
                    "in process": numbered_on(in_process(shop, f"local-{prefix}")),
                    "over HTTP": numbered_on(http_add_item(served, http, f"http-{prefix}")),
                }
                for command in commands.values():
                    run_for(command, arguments.warm_up, 1, None)
                results = {name: Result(name, 1) for name in commands}
                for _, (name, command) in itertools.product(
                    range(arguments.rounds), commands.items()
                ):
                    run_for(command, arguments.seconds / arguments.rounds, 1, results[name])
        finally:
            shop.close()
    print(
        f"{label}: add item, {ITEMS_PER_RETURNING_CUSTOMER} per returning customer, 1 thread,"
        f" {arguments.seconds:g} s each in {arguments.rounds} rounds"
    )
    print(f"{'':<11} {'commands/s':>10} {'p50 ms':>7} {'p99 ms':>7}")
    for result in results.values():
        print(
            f"{result.scenario:<11} {result.per_second:>10.0f}"
            f" {result.percentile_ms(0.5):>7.2f} {result.percentile_ms(0.99):>7.2f}"
        )
    ratio = results["over HTTP"].per_second / results["in process"].per_second
    verdict = "met" if ratio >= HTTP_RATIO_GOAL else "NOT MET"
    print(f"over HTTP / in process: {ratio:.2f} (goal >= {HTTP_RATIO_GOAL}: {verdict})\n")


# --- the command line ------------------------------------------------------------------


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--engines", nargs="+", choices=ENGINES, default=list(ENGINES), help="in this order"
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER_URL,
        help="the PostgreSQL server: a scratch database is created on it, migrated, dropped",
    )
    parser.add_argument(
        "--final-state",
        action="store_true",
        help="also measure the series' final state, in a temporary worktree",
    )
    parser.add_argument(
        "--baseline",
        metavar="REVISION",
        help="also measure this git revision first, in a temporary worktree (e.g. a tag)",
    )
    parser.add_argument("--checkouts", type=int, default=300, help="saturated phase")
    parser.add_argument("--clients", type=int, default=4, help="client threads, saturated")
    parser.add_argument("--paced", type=float, default=50.0, help="checkouts started per second")
    parser.add_argument("--paced-checkouts", type=int, default=200, help="paced phase")
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds a phase may take at most"
    )
    parser.add_argument("--json-out", type=Path, help="also write the rows to this JSON file")
    parser.add_argument(
        "--state", default="main", help="the name rows give the code measured (default main)"
    )
    parser.add_argument(
        "--add-item-over-http",
        action="store_true",
        help="instead: the add-item command over HTTP against in-process",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="add item: measured time")
    parser.add_argument("--warm-up", type=float, default=2.0, help="add item: unmeasured first")
    parser.add_argument("--rounds", type=int, default=5, help="add item: interleaved rounds")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if arguments.add_item_over_http:
        for engine in arguments.engines:
            compare_add_item(engine, arguments)
        return 0
    rows: list[Row] = []
    with ExitStack() as stack:
        states = [
            *([arguments.baseline] if arguments.baseline else []),
            arguments.state,
            *([FINAL] if arguments.final_state else []),
        ]
        worktrees = {
            state: stack.enter_context(worktree_of(state))
            for state in states
            if state != arguments.state
        }
        # Engine by engine, the states one after the other: drift spreads over all of them.
        for engine in arguments.engines:
            for state in states:
                print(f"measuring {state} on {ENGINE_NAMES[engine]}", file=sys.stderr)
                if state in worktrees:
                    rows.append(measure_in(worktrees[state], state, engine, arguments))
                else:
                    rows.append(measure(engine, arguments))
    print_table(rows, arguments)
    for row in rows:
        if row.state != arguments.state:
            print(f"{row.state} {ENGINE_NAMES[row.engine]} ran {row.relay_module}")
    if arguments.json_out is not None:
        arguments.json_out.write_text(
            json.dumps([dataclasses.asdict(row) for row in rows], indent=2) + "\n"
        )
    return 0 if all(row.complete for row in rows) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        # Every child process is stopped and every scratch database dropped by now.
        print("interrupted", file=sys.stderr)
        sys.exit(130)
