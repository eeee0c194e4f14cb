"""``shop projections list`` and ``rebuild``: a projection's position, and its replay."""

from __future__ import annotations

import pytest

from shop.workshop.world import World
from tests.api.console.conftest import completed_checkout
from tests.cli.conftest import run_shop

NAME = "orders.sales_per_product"


@pytest.fixture
def checked_out(database_url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Two completed checkouts, not counted yet; returns how many order events there are."""
    world = World(database_url)
    try:
        completed_checkout(world, "alice", {"espresso-beans-1kg": 2})
        completed_checkout(world, "bob", {"espresso-beans-1kg": 1, "ceramic-mug": 1})
        events = world.shop.orders.aggregates.recorder.max_notification_id() or 0
    finally:
        world.close()
    monkeypatch.setenv("SHOP_DATABASE_URL", database_url)
    return events


def sales(database_url: str) -> dict[str, tuple[int, str, int]]:
    world = World(database_url)
    try:
        with world.shop.datastore.transaction(commit=False) as session:
            rows = world.shop.orders.sales_per_product.rows(session)
    finally:
        world.close()
    return {row.product_id: (row.units_sold, str(row.revenue), row.orders) for row in rows}


def test_list_prints_each_projections_position_and_lag(
    capsys: pytest.CaptureFixture[str], checked_out: int
) -> None:
    listed = run_shop(capsys, "projections", "list")

    assert listed.status == 0
    header, row = listed.stdout.splitlines()
    assert header.split() == ["NAME", "POSITION", "LAG", "UPDATED"]
    assert row.split() == [NAME, "0", str(checked_out), "never"]


def test_rebuild_replays_every_event_and_says_how_fast(
    capsys: pytest.CaptureFixture[str], checked_out: int, database_url: str
) -> None:
    rebuilt = run_shop(capsys, "projections", "rebuild", NAME)
    listed = run_shop(capsys, "projections", "list")

    assert rebuilt.status == 0, rebuilt.stderr
    [summary] = rebuilt.stdout.splitlines()
    assert summary.startswith(f"rebuilt {NAME}: {checked_out} events replayed in ")
    assert summary.endswith(" events/s)")
    assert listed.stdout.splitlines()[1].split()[:3] == [NAME, str(checked_out), "0"]
    assert sales(database_url) == {
        "ceramic-mug": (1, "14.00", 1),
        "espresso-beans-1kg": (3, "74.70", 2),
    }


def test_an_unknown_name_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], checked_out: int
) -> None:
    outcome = run_shop(capsys, "projections", "rebuild", "orders.nothing")

    assert outcome.status == 1
    assert outcome.stdout == ""
    [line] = outcome.stderr_lines
    assert "no projection named 'orders.nothing'" in line
    assert NAME in line


def test_a_database_not_migrated_yet_is_one_line(
    capsys: pytest.CaptureFixture[str], empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", empty_database_url)

    outcome = run_shop(capsys, "projections", "list")

    assert outcome.status == 1
    assert len(outcome.stderr_lines) == 1
    assert "shop db upgrade" in outcome.stderr
