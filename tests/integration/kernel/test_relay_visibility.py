"""What operators see of the relay: the logs, ``GET /health/ready`` and ``shop outbox``."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Connection, text

from shared.background import Heartbeat
from shared.clock import ManualClock, SystemClock
from shared.database import create_datastore, engine_of
from shared.leases import LeaseHolder, lease_for
from shared.outbox import Outbox
from shared.relay import OutboxRelay, RelayWorker
from shop.bootstrap import Shop
from shop.cli import main
from shop.outbox_cli import judge
from tests.integration.kernel.support import NOTICE_POSTED, SOURCE, post_notice
from tests.support import ApiClient, eventually


def worker_of(datastore: SQLAlchemyDatastore, shop: Shop, host: str) -> RelayWorker:
    return RelayWorker(
        OutboxRelay(datastore, shop.subscriptions, clock=shop.clock),
        lease_for(datastore, "main"),
        poll_seconds=0.01,
        retry_seconds=0.01,
        holder=LeaseHolder("relay-main", host, 42),
    )


@pytest.fixture
def running_worker(shop: Shop) -> Iterator[RelayWorker]:
    worker = worker_of(shop.datastore, shop, "worker-a")
    worker.start()
    eventually(lambda: worker.leading)
    yield worker
    worker.stop()


def test_workers_say_who_holds_the_lease_and_when_a_standby_takes_over(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    other_process = create_datastore(shop.settings.database_url)
    first = worker_of(shop.datastore, shop, "worker-a")
    standby = worker_of(other_process, shop, "worker-b")
    try:
        with caplog.at_level(logging.INFO, logger="shared.relay"):
            first.start()
            eventually(lambda: first.leading)
            standby.start()
            eventually(lambda: "relay-main on worker-b (pid 42) stands by" in caplog.text)

            first.stop()

            eventually(lambda: standby.leading)
    finally:
        first.stop()
        standby.stop()
        engine_of(other_process).dispose()

    assert "relay main: relay-main on worker-a (pid 42) holds the lease (epoch 1)" in caplog.text
    assert (
        "relay main: relay-main on worker-b (pid 42) takes over the lease"
        " from relay-main on worker-a (pid 42) (epoch 2)"
    ) in caplog.text


def test_readiness_reports_the_relay_to_anyone(
    api: ApiClient, clock: ManualClock, running_worker: RelayWorker
) -> None:
    response = api.get("/health/ready")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"]) == ("ready", "ok")
    relay = body["relay"]
    assert relay["lease"]["held"] is True
    assert relay["lease"]["holder"] == {"worker": "relay-main", "host": "worker-a", "pid": 42}
    assert relay["lease"]["epoch"] == 1
    assert (relay["backlog"], relay["held_back"], relay["stalled"]) == (0, 0, False)
    assert relay["oldest_waiting_seconds"] is None
    assert relay["blocker"] is None


def test_readiness_counts_a_waiting_message_and_a_stall(api: ApiClient, clock: ManualClock) -> None:
    post_notice(api.shop, 1)
    clock.advance(timedelta(seconds=61))

    relay = api.get("/health/ready").json()["relay"]

    assert relay["backlog"] == 1
    assert relay["oldest_waiting_seconds"] == 61
    assert relay["stalled"] is True, "a stall is reported, and the web process stays ready"
    assert relay["lease"]["held"] is False


def test_readiness_is_503_without_the_reason_when_the_database_does_not_answer(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable() -> None:
        raise ConnectionError("password authentication failed for user shop at 10.0.0.5")

    monkeypatch.setattr(api.shop, "relay_status", unreachable)

    response = api.get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable", "relay": None}


@pytest.fixture
def open_transaction_here(shop: Shop) -> Iterator[Connection]:
    with engine_of(shop.datastore).connect() as connection:
        connection.execute(text("SELECT pg_current_xact_id() /* secret-looking sql */"))
        yield connection
        connection.rollback()


@pytest.mark.postgres_only
def test_readiness_names_a_blocking_session_but_never_its_sql(
    api: ApiClient, open_transaction_here: Connection
) -> None:
    pid = open_transaction_here.execute(text("SELECT pg_backend_pid()")).scalar_one()
    post_notice(api.shop, 1)

    response = api.get("/health/ready")

    blocker = response.json()["relay"]["blocker"]
    assert set(blocker) == {"database", "pid", "state", "age_seconds"}
    assert blocker["pid"] == pid
    assert blocker["state"] == "idle in transaction"
    assert "secret-looking" not in response.text


@pytest.fixture
def shop_env(shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """``shop`` run from a folder with no .env, on the test database."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHOP_DATABASE_URL", shop.settings.database_url)
    return tmp_path


def publish_now(shop: Shop) -> None:
    """A message stamped by the wall clock, which the CLI's own shop uses."""
    with shop.datastore.transaction(commit=True) as session:
        Outbox(SystemClock()).add(session, source=SOURCE, message_type=NOTICE_POSTED, payload={})


@pytest.mark.usefixtures("shop_env")
def test_shop_outbox_prints_the_lease_holder_and_the_backlog(
    shop: Shop, running_worker: RelayWorker, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["outbox"]) == 0

    printed = capsys.readouterr().out
    assert "lease    held by relay-main on worker-a (pid 42) (epoch 1" in printed
    assert "backlog  0 committed messages waiting" in printed


@pytest.mark.usefixtures("shop_env")
def test_shop_outbox_json_lists_the_oldest_waiting_messages(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_now(shop)

    assert main(["outbox", "--json"]) == 0

    document = json.loads(capsys.readouterr().out)
    assert document["backlog"] == 1
    assert document["lease"]["held"] is False
    [waiting] = document["oldest_waiting"]
    assert waiting["message_type"] == NOTICE_POSTED
    assert document["stalled"] is False


@pytest.mark.usefixtures("shop_env")
def test_shop_outbox_check_passes_while_a_worker_leads_and_nothing_is_late(
    running_worker: RelayWorker, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["outbox", "--check"]) == 0

    assert capsys.readouterr().out.startswith("ok: relay main led by relay-main on worker-a")


@pytest.mark.usefixtures("shop_env")
def test_shop_outbox_check_fails_when_no_worker_leads(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outbox", "--check"]) == 1

    assert capsys.readouterr().out == "unhealthy: no worker holds the lease of relay main\n"


def test_shop_outbox_check_fails_on_a_stall(
    shop: Shop,
    shop_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SHOP_RELAY_STALL_SECONDS", "0.001")
    publish_now(shop)  # no relay runs: the message waits past the threshold

    assert main(["outbox", "--check", "--json"]) == 1

    document = json.loads(capsys.readouterr().out)
    assert document["healthy"] is False
    assert document["stalled"] is True
    assert any("stalled" in problem for problem in document["problems"])


def test_shop_outbox_check_fails_when_it_cannot_read_the_database(
    shop_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", f"sqlite:///{shop_env / 'never-migrated.sqlite3'}")

    assert main(["outbox", "--check"]) == 1

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("unhealthy: could not read the relay's state:")


@pytest.mark.parametrize(
    ("heartbeat_age", "expected", "healthy"),
    [
        (1.0, True, True),
        (None, False, True),
        (None, True, False),
        (61.0, True, False),
    ],
)
def test_the_check_judges_this_workers_heartbeat_against_the_stall_threshold(
    shop: Shop,
    running_worker: RelayWorker,
    heartbeat_age: float | None,
    expected: bool,
    healthy: bool,
) -> None:
    status = shop.relay_status()

    verdict = judge(status, heartbeat_age, heartbeat_expected=expected)

    assert verdict.healthy is healthy


def test_a_running_worker_beats_at_every_round(shop: Shop, tmp_path: Path) -> None:
    heartbeat = Heartbeat(tmp_path / "worker.heartbeat")
    assert heartbeat.age_seconds() is None
    worker = RelayWorker(
        shop.relay,
        lease_for(shop.datastore, shop.relay.name),
        poll_seconds=0.01,
        retry_seconds=0.01,
        heartbeat=heartbeat.beat,
    )
    worker.start()
    try:
        eventually(lambda: heartbeat.age_seconds() is not None)
    finally:
        worker.stop()

    age = heartbeat.age_seconds()
    assert age is not None
    assert age < shop.settings.relay_stall_seconds
