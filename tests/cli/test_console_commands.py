"""``shop events`` and ``shop timeline``: the console's facts at the terminal, and as JSON."""

from __future__ import annotations

import json
from uuid import UUID, uuid4

import pytest

from modules.carts.domain.cart import ShoppingCart
from shop.workshop.world import World
from tests.api.console.conftest import completed_checkout
from tests.cli.conftest import run_shop


@pytest.fixture
def order_id(database_url: str, monkeypatch: pytest.MonkeyPatch) -> UUID:
    world = World(database_url)
    try:
        placed = completed_checkout(world, "alice", {"espresso-beans-1kg": 2})
    finally:
        world.close()
    monkeypatch.setenv("SHOP_DATABASE_URL", database_url)
    return placed


def test_events_prints_a_streams_events_oldest_first(
    capsys: pytest.CaptureFixture[str], order_id: UUID
) -> None:
    table = run_shop(capsys, "events", str(order_id))
    document = run_shop(capsys, "events", str(order_id), "--json")

    assert table.status == document.status == 0
    assert f"orders stream {order_id}" in table.stdout
    assert table.stdout.index("Order.Placed") < table.stdout.index("Order.Completed")
    events = json.loads(document.stdout)
    assert events["module"] == "orders"
    assert [event["event_type"] for event in events["events"]] == [
        "Order.Placed",
        "Order.Paid",
        "Order.Completed",
    ]


def test_timeline_prints_a_checkout_across_the_modules(
    capsys: pytest.CaptureFixture[str], order_id: UUID
) -> None:
    table = run_shop(capsys, "timeline", str(order_id))
    document = run_shop(capsys, "timeline", str(order_id), "--json")

    assert table.status == document.status == 0
    assert f"cart {ShoppingCart.create_id('alice')}" in table.stdout
    for name in ("ShoppingCart.Confirmed", "Payment.Succeeded", "Package.Sent", "ShipOrder"):
        assert name in table.stdout
    timeline = json.loads(document.stdout)
    assert timeline["order_id"] == str(order_id)
    assert {entry["module"] for entry in timeline["entries"]} == {
        "carts",
        "orders",
        "payments",
        "shipments",
    }


def test_an_id_nothing_has_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], order_id: UUID
) -> None:
    unknown = uuid4()

    events = run_shop(capsys, "events", str(unknown))
    timeline = run_shop(capsys, "timeline", str(unknown))

    assert (events.status, timeline.status) == (1, 1)
    assert events.stdout == timeline.stdout == ""
    assert len(events.stderr_lines) == len(timeline.stderr_lines) == 1
    assert str(unknown) in events.stderr
    assert str(unknown) in timeline.stderr


def test_what_is_not_an_id_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run_shop(capsys, "events", "not-an-id")

    assert exit_.value.code == 2
