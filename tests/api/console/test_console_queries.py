"""The console's queries on a real event store: streams, events, outbox, read models, timeline."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from modules.carts.domain.cart import ShoppingCart
from shop.console.queries import (
    ConsoleQueries,
    InvalidSearch,
    OrderNotFound,
    StreamNotFound,
    UnknownModule,
)
from shop.workshop.world import World
from tests.api.console.conftest import completed_checkout


class TestStreams:
    def test_a_module_lists_its_aggregates_with_type_version_and_last_change(
        self, world: World, queries: ConsoleQueries
    ) -> None:
        order_id = completed_checkout(world, "alice", {"espresso-beans-1kg": 2})

        (order,) = queries.streams("orders").streams
        (cart,) = queries.streams("carts").streams

        assert (order.stream_id, order.aggregate_type, order.version) == (order_id, "Order", 3)
        assert (cart.stream_id, cart.aggregate_type) == (
            ShoppingCart.create_id("alice"),
            "ShoppingCart",
        )
        assert cart.version == 3  # opened, item added, confirmed
        assert order.last_change == queries.stream("orders", order_id).events[-1].timestamp

    def test_pages_follow_each_other_in_id_order_without_overlap(
        self, world: World, queries: ConsoleQueries
    ) -> None:
        for customer in ("ann", "bob", "cid", "dee", "eve"):
            world.check_out(customer, {"espresso-beans-1kg": 1}, "tok_ok")

        first = queries.streams("carts", limit=2)
        second = queries.streams("carts", after=first.next_after, limit=2)
        third = queries.streams("carts", after=second.next_after, limit=2)

        seen = [stream.stream_id for page in (first, second, third) for stream in page.streams]
        assert seen == sorted(
            ShoppingCart.create_id(name) for name in ("ann", "bob", "cid", "dee", "eve")
        )
        assert third.next_after is None

    def test_a_search_finds_the_streams_whose_id_starts_with_it(
        self, world: World, queries: ConsoleQueries
    ) -> None:
        for customer in ("ann", "bob", "cid"):
            world.check_out(customer, {"espresso-beans-1kg": 1}, "tok_ok")
        wanted = str(ShoppingCart.create_id("bob"))

        by_prefix = queries.streams("carts", search=wanted[:6]).streams
        by_whole_id = queries.streams("carts", search=wanted.upper()).streams

        assert [str(stream.stream_id) for stream in by_prefix] == [wanted]
        assert [str(stream.stream_id) for stream in by_whole_id] == [wanted]

    @pytest.mark.parametrize("search", ["xyz", "1234'; --", "0" * 33])
    def test_a_search_that_cannot_start_an_id_is_refused(
        self, queries: ConsoleQueries, search: str
    ) -> None:
        with pytest.raises(InvalidSearch):
            queries.streams("carts", search=search)

    def test_an_unknown_module_is_said_so(self, queries: ConsoleQueries) -> None:
        with pytest.raises(UnknownModule):
            queries.streams("warehouse")


class TestOneStream:
    def test_its_events_come_decoded_oldest_first(
        self, world: World, queries: ConsoleQueries
    ) -> None:
        order_id = completed_checkout(world, "alice", {"espresso-beans-1kg": 2})

        events = queries.stream("orders", order_id).events

        assert [(event.version, event.event_type) for event in events] == [
            (1, "Order.Placed"),
            (2, "Order.Paid"),
            (3, "Order.Completed"),
        ]
        assert events[0].fields["customer_id"] == "alice"
        assert events[0].fields["items"][0]["product_id"] == "espresso-beans-1kg"
        assert "originator_id" not in events[0].fields
        assert events[0].timestamp <= events[1].timestamp <= events[2].timestamp

    def test_a_long_stream_comes_in_slices(self, world: World, queries: ConsoleQueries) -> None:
        world.check_out("alice", {"espresso-beans-1kg": 1, "ceramic-mug": 1}, "tok_ok")
        cart_id = ShoppingCart.create_id("alice")

        first = queries.stream("carts", cart_id, limit=2)
        rest = queries.stream("carts", cart_id, after=first.next_after or 0, limit=2)

        assert [event.version for event in first.events] == [1, 2]
        assert [event.version for event in rest.events] == [3, 4]
        assert rest.next_after is None

    def test_any_stream_is_found_by_its_id_alone(
        self, world: World, queries: ConsoleQueries
    ) -> None:
        order_id = completed_checkout(world, "alice", {"espresso-beans-1kg": 1})

        assert queries.find_stream(order_id) == "orders"
        assert queries.find_stream(ShoppingCart.create_id("alice")) == "carts"
        with pytest.raises(StreamNotFound):
            queries.find_stream(uuid4())
        with pytest.raises(StreamNotFound):
            queries.stream("orders", uuid4())

    def test_the_latest_events_of_every_module_come_newest_first(
        self, world: World, queries: ConsoleQueries
    ) -> None:
        completed_checkout(world, "alice", {"espresso-beans-1kg": 1})

        latest = queries.latest_events(limit=3)

        assert [event.event_type for event in latest] == [
            "Order.Completed",
            "Package.Sent",
            "Package.Requested",
        ]


class TestOutboxAndReadModels:
    def test_recent_messages_come_newest_first_marked_delivered_or_waiting(
        self, world: World, queries: ConsoleQueries
    ) -> None:
        completed_checkout(world, "alice", {"espresso-beans-1kg": 1})
        world.check_out("bob", {"espresso-beans-1kg": 1}, "tok_ok")  # not delivered yet

        messages = queries.recent_messages(world.shop.relay.name, limit=3)
        older = queries.recent_messages(world.shop.relay.name, before=messages[-1].position)

        assert [message.message_type for message in messages[:2]] == [
            "carts.ShoppingCart.Confirmed",
            "shipments.Package.Sent",
        ]
        assert [message.delivered for message in messages[:2]] == [False, True]
        assert messages[0].payload["customer_id"] == "bob"
        assert [message.position for message in older] == sorted(
            (message.position for message in older), reverse=True
        )
        assert older[0].position < messages[-1].position
        assert all(message.delivered for message in older)

    def test_every_table_is_counted_with_its_owner(
        self, world: World, queries: ConsoleQueries
    ) -> None:
        completed_checkout(world, "alice", {"espresso-beans-1kg": 1})

        sizes = {size.table: size for size in queries.table_sizes()}

        assert sizes["orders_order_views"].rows == 1
        assert sizes["orders_order_views"].owner == "orders"
        assert sizes["outbox_messages"].owner == "shared"
        assert sizes["shipments_package_views"].rows == 1


class TestCheckoutTimeline:
    def test_it_follows_the_cart_to_the_order_the_payment_and_the_package(
        self, world: World, queries: ConsoleQueries
    ) -> None:
        order_id = completed_checkout(world, "alice", {"espresso-beans-1kg": 2})

        timeline = queries.timeline(order_id)

        events = [(entry.module, entry.name) for entry in timeline.entries if entry.kind == "event"]
        assert events == [
            ("carts", "ShoppingCart.Opened"),
            ("carts", "ShoppingCart.ProductItemAdded"),
            ("carts", "ShoppingCart.Confirmed"),
            ("orders", "Order.Placed"),
            ("payments", "Payment.Requested"),
            ("payments", "Payment.Submitted"),
            ("payments", "Payment.Succeeded"),
            ("orders", "Order.Paid"),
            ("shipments", "Package.Requested"),
            ("shipments", "Package.Sent"),
            ("orders", "Order.Completed"),
        ]
        messages = {entry.name for entry in timeline.entries if entry.kind == "message"}
        assert messages == {
            "carts.ShoppingCart.Confirmed",
            "payments.RequestPayment",
            "payments.Payment.Requested",
            "payments.Payment.Succeeded",
            "shipments.ShipOrder",
            "shipments.Package.Sent",
        }
        assert timeline.cart_id == ShoppingCart.create_id("alice")
        assert len(timeline.payment_ids) == len(timeline.package_ids) == 1
        linked = {entry.stream_id for entry in timeline.entries if entry.stream_id}
        assert linked == {order_id, timeline.cart_id, *timeline.payment_ids, *timeline.package_ids}

    def test_a_cart_used_again_shows_only_this_checkouts_part(
        self, world: World, queries: ConsoleQueries
    ) -> None:
        first = completed_checkout(world, "alice", {"espresso-beans-1kg": 2})
        world.clock.advance(timedelta(minutes=1))
        second = completed_checkout(world, "alice", {"ceramic-mug": 1})

        def cart_part(order_id: UUID) -> list[tuple[str, int | None]]:
            return [
                (entry.kind, entry.version)
                for entry in queries.timeline(order_id).entries
                if entry.module == "carts"
            ]

        assert sorted(cart_part(first), key=str) == sorted(
            [("event", 1), ("event", 2), ("event", 3), ("message", None)], key=str
        )
        assert sorted(cart_part(second), key=str) == sorted(
            [("event", 4), ("event", 5), ("message", None)], key=str
        )

    def test_an_unknown_order_is_said_so(self, queries: ConsoleQueries) -> None:
        with pytest.raises(OrderNotFound):
            queries.timeline(uuid4())
