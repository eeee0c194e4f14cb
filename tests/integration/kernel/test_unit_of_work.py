"""A unit of work commits the read model, the outbox and the events together, or none of them."""

from __future__ import annotations

import threading
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy import func, select

from modules.carts.domain.cart import ShoppingCart
from shared.errors import ConcurrencyConflict
from shared.outbox import outbox_messages
from shop.bootstrap import Shop

ITEM_ADDED = "carts.ShoppingCart.ProductItemAdded"


class PowerCut(Exception):
    pass


def a_cart(customer_id: str = "alice") -> ShoppingCart:
    cart = ShoppingCart(customer_id=customer_id, currency="EUR")
    cart.add_product_item("espresso-beans-1kg", 1, Decimal("24.90"), "EUR")
    return cart


def save_cart(shop: Shop, cart: ShoppingCart) -> UUID:
    """What a cart command does: read model, outbox message, then the events, last."""
    with shop.carts.transactions.unit_of_work() as uow:
        shop.carts.cart_views.save(uow.session, cart, shop.clock.now())
        message_id = uow.publish(ITEM_ADDED, {"cart_id": str(cart.id), "version": cart.version})
        shop.carts.aggregates.save(cart)
    return message_id


def outbox_rows(shop: Shop, *message_ids: UUID) -> int:
    with shop.datastore.transaction(commit=False) as session:
        return session.execute(
            select(func.count())
            .select_from(outbox_messages)
            .where(outbox_messages.c.message_id.in_(message_ids))
        ).scalar_one()


def outbox_rows_total(shop: Shop) -> int:
    with shop.datastore.transaction(commit=False) as session:
        return session.execute(select(func.count()).select_from(outbox_messages)).scalar_one()


def test_everything_a_unit_of_work_wrote_commits_together(shop: Shop) -> None:
    cart = a_cart()

    message_id = save_cart(shop, cart)

    assert shop.carts.aggregates.get(ShoppingCart, cart.id).version == 2
    assert outbox_rows(shop, message_id) == 1
    with shop.carts.transactions.read_only() as session:
        view = shop.carts.cart_views.get(session, cart.id)
    assert view is not None
    assert view.version == 2


def test_an_error_after_save_leaves_no_event_no_message_and_no_read_model_row(
    shop: Shop,
) -> None:
    cart = a_cart()
    published: list[UUID] = []

    def save_then_fail() -> None:
        with shop.carts.transactions.unit_of_work() as uow:
            shop.carts.cart_views.save(uow.session, cart, shop.clock.now())
            published.append(uow.publish(ITEM_ADDED, {"cart_id": str(cart.id)}))
            shop.carts.aggregates.save(cart)
            raise PowerCut

    with pytest.raises(PowerCut):
        save_then_fail()

    assert shop.carts.aggregates.find(ShoppingCart, cart.id) is None
    assert outbox_rows(shop, *published) == 0
    with shop.carts.transactions.read_only() as session:
        assert shop.carts.cart_views.get(session, cart.id) is None


def test_the_second_of_two_saves_from_the_same_version_conflicts_and_writes_nothing(
    shop: Shop,
) -> None:
    save_cart(shop, a_cart())
    cart_id = ShoppingCart.create_id("alice")
    first = shop.carts.aggregates.get(ShoppingCart, cart_id)
    second = shop.carts.aggregates.get(ShoppingCart, cart_id)
    first.add_product_item("ceramic-mug", 1, Decimal("14.00"), "EUR")
    second.add_product_item("french-press", 1, Decimal("39.00"), "EUR")
    save_cart(shop, first)

    with pytest.raises(ConcurrencyConflict):
        save_cart(shop, second)

    stored = shop.carts.aggregates.get(ShoppingCart, cart_id)
    assert stored.version == 3
    assert set(stored.lines) == {"espresso-beans-1kg", "ceramic-mug"}
    assert outbox_rows_total(shop) == 2, "one message per successful save"
    with shop.carts.transactions.read_only() as session:
        view = shop.carts.cart_views.get(session, cart_id)
    assert view is not None
    assert view.version == 3
    assert {line.product_id for line in view.lines} == {"espresso-beans-1kg", "ceramic-mug"}


@pytest.mark.postgres_only
def test_two_concurrent_units_of_work_on_one_cart_one_wins_the_other_conflicts(
    shop: Shop,
) -> None:
    save_cart(shop, a_cart())
    cart_id = ShoppingCart.create_id("alice")
    both_loaded = threading.Barrier(2, timeout=10)
    outcomes: dict[str, str] = {}
    published: dict[str, UUID] = {}

    def add(product_id: str) -> None:
        try:
            with shop.carts.transactions.unit_of_work() as uow:
                cart = shop.carts.aggregates.get(ShoppingCart, cart_id)
                both_loaded.wait()
                cart.add_product_item(product_id, 1, Decimal("10.00"), "EUR")
                shop.carts.cart_views.save(uow.session, cart, shop.clock.now())
                published[product_id] = uow.publish(ITEM_ADDED, {"cart_id": str(cart_id)})
                shop.carts.aggregates.save(cart)
        except ConcurrencyConflict:
            outcomes[product_id] = "conflict"
        else:
            outcomes[product_id] = "saved"

    threads = [threading.Thread(target=add, args=(product,)) for product in ("mug", "press")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(product for product, outcome in outcomes.items() if outcome == "saved")
    loser = next(product for product, outcome in outcomes.items() if outcome == "conflict")
    stored = shop.carts.aggregates.get(ShoppingCart, cart_id)
    assert stored.version == 3
    assert set(stored.lines) == {"espresso-beans-1kg", winner}
    assert outbox_rows(shop, published[winner]) == 1
    assert outbox_rows(shop, published[loser]) == 0
    with shop.carts.transactions.read_only() as session:
        view = shop.carts.cart_views.get(session, cart_id)
    assert view is not None
    assert {line.product_id for line in view.lines} == {"espresso-beans-1kg", winner}


def test_the_relay_is_woken_only_after_a_commit_that_published(shop: Shop) -> None:
    wake_ups: list[int] = []
    shop.outbox.on_commit(lambda: wake_ups.append(outbox_rows_total(shop)))

    def publish_then_fail() -> None:
        with shop.carts.transactions.unit_of_work() as uow:
            uow.publish(ITEM_ADDED, {"cart_id": "rolled back"})
            raise PowerCut

    with pytest.raises(PowerCut):
        publish_then_fail()
    with shop.carts.transactions.unit_of_work() as uow:
        shop.carts.cart_views.save(uow.session, a_cart("bob"), shop.clock.now())
    assert wake_ups == []

    save_cart(shop, a_cart())

    # The listener already sees the committed message: it runs after the commit, never before.
    assert wake_ups == [1]
