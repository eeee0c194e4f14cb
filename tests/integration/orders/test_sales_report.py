"""Sales per product, specified as given these orders / when the projection catches up /
then these figures; its checkpoint, its rebuild, its lease and its worker.

Orders go through the checkout process as the relay delivers its messages; the
projection is then run by hand, as the worker would run it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from sqlalchemy import insert

from modules.carts.contracts import ConfirmedItem, ShoppingCartConfirmed
from modules.orders.application import queries
from modules.orders.domain.order import Order
from modules.orders.infrastructure.sales_report import ProductSales, sales_per_product
from modules.orders.module import orders as orders_module
from modules.payments.contracts import RequestPayment
from shared.clock import ManualClock
from shared.projections import (
    ProjectionBusy,
    ProjectionRunner,
    ProjectionWorker,
    projection_lease,
)
from shop.bootstrap import Shop
from tests.integration.orders.checkout import (
    Checkout,
    out_of_stock,
    payment_failed,
    payment_succeeded,
)
from tests.support import eventually

BEANS, MUG = "espresso-beans-1kg", "ceramic-mug"


def a_paid_order(checkout: Checkout) -> None:
    """Two bags of beans at 24.90 and a mug at 14.00, in EUR, paid."""
    order_id = checkout.placed()
    checkout.given(payment_succeeded(order_id, payment_id=uuid4()))


def figures(shop: Shop) -> dict[tuple[str, str], tuple[int, Decimal, int]]:
    """(product, currency) → (units sold, revenue, orders), as the report shows them."""
    report = queries.sales_report(shop.orders)
    return {
        (row.product_id, row.currency): (row.units_sold, row.revenue, row.orders)
        for row in report.products
    }


def order_events(shop: Shop) -> int:
    return shop.orders.aggregates.recorder.max_notification_id() or 0


def runner_of(shop: Shop, clock: ManualClock, batch_size: int) -> ProjectionRunner:
    """A second runner of the same projection, as another process would have."""
    return ProjectionRunner(
        shop.orders.sales_per_product,
        shop.orders.aggregates,
        shop.datastore,
        clock,
        batch_size=batch_size,
    )


# --- what counts -----------------------------------------------------------------------------


def test_a_paid_order_counts_its_units_its_revenue_and_one_order_per_product(
    shop: Shop, checkout: Checkout
) -> None:
    a_paid_order(checkout)

    shop.orders.sales_projection.catch_up()

    assert figures(shop) == {
        (BEANS, "EUR"): (2, Decimal("49.80"), 1),
        (MUG, "EUR"): (1, Decimal("14.00"), 1),
    }


def test_paid_orders_add_up(shop: Shop, checkout: Checkout) -> None:
    a_paid_order(checkout)
    shop.orders.sales_projection.catch_up()
    a_paid_order(checkout)
    a_paid_order(checkout)

    shop.orders.sales_projection.catch_up()

    assert figures(shop) == {
        (BEANS, "EUR"): (6, Decimal("149.40"), 3),
        (MUG, "EUR"): (3, Decimal("42.00"), 3),
    }


def test_an_order_waiting_for_its_payment_or_declined_counts_nothing(
    shop: Shop, checkout: Checkout
) -> None:
    checkout.placed()
    declined = checkout.placed(payment_method="tok_declined")
    checkout.given(payment_failed(declined))

    shop.orders.sales_projection.catch_up()

    assert figures(shop) == {}
    assert shop.orders.sales_projection.status().lag == 0


def test_a_paid_order_cancelled_for_want_of_stock_stays_counted_since_its_money_is_kept(
    shop: Shop, checkout: Checkout
) -> None:
    order_id = checkout.placed()
    checkout.given(payment_succeeded(order_id), out_of_stock(order_id))
    assert checkout.order(order_id).status == "cancelled"

    shop.orders.sales_projection.catch_up()

    assert figures(shop)[MUG, "EUR"] == (1, Decimal("14.00"), 1)


def test_each_currency_has_its_own_row(shop: Shop, checkout: Checkout) -> None:
    a_paid_order(checkout)
    checkout.given(
        ShoppingCartConfirmed(
            originator_id=uuid4(),
            customer_id="bob",
            items=[ConfirmedItem(product_id=MUG, quantity=3, unit_price=Decimal("15.50"))],
            total=Decimal("46.50"),
            currency="USD",
            payment_method="tok_ok",
        )
    )
    payment_request = checkout.sent_of(RequestPayment)[-1]
    assert isinstance(payment_request, RequestPayment)
    order_id = payment_request.order_id
    checkout.given(payment_succeeded(order_id, payment_id=uuid4()))

    shop.orders.sales_projection.catch_up()

    assert figures(shop)[MUG, "EUR"] == (1, Decimal("14.00"), 1)
    assert figures(shop)[MUG, "USD"] == (3, Decimal("46.50"), 1)


def test_an_order_paid_in_a_later_batch_than_it_was_placed_is_counted_in_its_currency(
    shop: Shop, checkout: Checkout, clock: ManualClock
) -> None:
    a_paid_order(checkout)
    a_paid_order(checkout)

    read = runner_of(shop, clock, batch_size=1).catch_up()

    assert read == order_events(shop)
    assert figures(shop) == {
        (BEANS, "EUR"): (4, Decimal("99.60"), 2),
        (MUG, "EUR"): (2, Decimal("28.00"), 2),
    }


# --- the checkpoint --------------------------------------------------------------------------


def test_the_checkpoint_moves_to_the_last_event_read_and_the_lag_says_what_is_left(
    shop: Shop, checkout: Checkout, clock: ManualClock
) -> None:
    projection = shop.orders.sales_projection
    before = projection.status()
    a_paid_order(checkout)
    waiting = projection.status()
    clock.advance(timedelta(minutes=1))

    projection.catch_up()

    after = projection.status()
    assert (before.position, before.lag, before.updated_at) == (0, 0, None)
    assert (waiting.position, waiting.lag) == (0, order_events(shop))
    assert (after.position, after.lag, after.updated_at) == (order_events(shop), 0, clock.now())
    assert after.name == "orders.sales_per_product"


def test_a_runner_started_afresh_goes_on_from_the_checkpoint(
    shop: Shop, checkout: Checkout, clock: ManualClock
) -> None:
    a_paid_order(checkout)
    shop.orders.sales_projection.catch_up()
    position = shop.orders.sales_projection.status().position
    a_paid_order(checkout)

    read = runner_of(shop, clock, batch_size=100).catch_up()

    assert read == order_events(shop) - position
    assert figures(shop)[MUG, "EUR"] == (2, Decimal("28.00"), 2)


def test_run_once_applies_one_batch(shop: Shop, checkout: Checkout, clock: ManualClock) -> None:
    a_paid_order(checkout)
    runner = runner_of(shop, clock, batch_size=1)

    assert runner.run_once() == 1
    assert runner.status().position == 1


def test_the_events_of_concurrent_checkouts_are_each_counted_once(
    shop: Shop, clock: ManualClock
) -> None:
    """Orders saved by several threads while the projection tails them: none is skipped
    (on PostgreSQL, ids that commit out of order would be) and none counted twice."""
    writers, orders_each = 4, 10
    done = threading.Event()

    def write_orders() -> None:
        for _ in range(orders_each):
            order = Order(
                customer_id="alice",
                cart_id=uuid4(),
                items=[{"product_id": MUG, "quantity": 1, "unit_price": Decimal("14.00")}],
                total=Decimal("14.00"),
                currency="EUR",
                payment_method="tok_ok",
            )
            order.record_payment(uuid4())
            shop.orders.aggregates.save(order)

    def tail() -> None:
        while not done.is_set():
            shop.orders.sales_projection.catch_up()

    tailing = threading.Thread(target=tail)
    tailing.start()
    threads = [threading.Thread(target=write_orders) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    tailing.join()
    shop.orders.sales_projection.catch_up()

    total = writers * orders_each
    assert figures(shop) == {(MUG, "EUR"): (total, Decimal("14.00") * total, total)}


# --- the rebuild -----------------------------------------------------------------------------


def test_a_rebuild_empties_the_read_model_and_replays_every_event_into_it(
    shop: Shop, checkout: Checkout
) -> None:
    a_paid_order(checkout)
    a_paid_order(checkout)
    projection = shop.orders.sales_projection
    projection.catch_up()
    expected = figures(shop)
    with shop.datastore.transaction(commit=True) as session:
        session.execute(
            insert(sales_per_product).values(
                product_id="no-longer-sold",
                currency="EUR",
                units_sold=1,
                revenue=Decimal("1.00"),
                orders=1,
                updated_at=shop.clock.now(),
            )
        )
    progress: list[tuple[int, int]] = []

    report = projection.rebuild(on_progress=lambda done, total: progress.append((done, total)))

    assert figures(shop) == expected
    assert report.name == projection.name
    assert report.events == order_events(shop)
    assert report.events_per_second > 0
    assert progress[0] == (0, order_events(shop))
    assert progress[-1] == (order_events(shop), order_events(shop))
    assert projection.status().lag == 0


# --- one runner at a time --------------------------------------------------------------------


@pytest.fixture
def lease_held_elsewhere(shop: Shop) -> Iterator[None]:
    """The projection's lease, held as another process's worker would hold it."""
    lease = projection_lease(shop.datastore, shop.orders.sales_projection.name)
    assert lease.acquire()
    yield
    lease.release()


@pytest.mark.usefixtures("lease_held_elsewhere")
def test_a_runner_does_nothing_while_another_holds_the_lease(
    shop: Shop, checkout: Checkout
) -> None:
    a_paid_order(checkout)

    with pytest.raises(ProjectionBusy, match="another process"):
        shop.orders.sales_projection.catch_up()

    assert figures(shop) == {}
    assert shop.orders.sales_projection.status().position == 0


@pytest.mark.usefixtures("lease_held_elsewhere")
def test_a_rebuild_waits_for_the_lease_then_gives_up(shop: Shop) -> None:
    pauses: list[float] = []

    with pytest.raises(ProjectionBusy, match="try again"):
        shop.orders.sales_projection.rebuild(wait_seconds=0.3, pause=pauses.append)

    assert pauses


# --- the worker ------------------------------------------------------------------------------


def test_the_orders_module_runs_the_projection_in_a_worker(shop: Shop) -> None:
    [worker] = orders_module.background_workers(shop.orders, shop.dependencies)

    assert isinstance(worker, ProjectionWorker)
    assert [runner.name for runner in orders_module.projections(shop.orders)] == [
        "orders.sales_per_product"
    ]


def test_the_worker_keeps_the_report_caught_up(shop: Shop, checkout: Checkout) -> None:
    worker = ProjectionWorker(shop.orders.sales_projection, poll_seconds=0.02)
    worker.start()
    try:
        a_paid_order(checkout)

        eventually(lambda: shop.orders.sales_projection.status().lag == 0 and figures(shop))
    finally:
        worker.stop()

    assert not worker.is_running
    assert figures(shop)[BEANS, "EUR"] == (2, Decimal("49.80"), 1)


def test_product_sales_are_listed_by_product_then_currency(shop: Shop, checkout: Checkout) -> None:
    a_paid_order(checkout)
    shop.orders.sales_projection.catch_up()

    products = queries.sales_report(shop.orders).products

    assert [(row.product_id, row.currency) for row in products] == [(MUG, "EUR"), (BEANS, "EUR")]
    assert all(isinstance(row, ProductSales) for row in products)
