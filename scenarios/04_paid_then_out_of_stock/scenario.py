"""04 Paid, then out of stock: the money is taken, the order is cancelled, and that is all.

Four customers check out, all paying with ``tok_ok``, which the provider captures.
Three of them want the gooseneck kettle, which the warehouse has none of (one of
them with a mug besides); the fourth buys a mug alone. The relay and the provider's
webhook sender run until there is nothing left to do: a day of the shop, compressed.

Measured from the system: orders cancelled after their payment succeeded, the
amount still captured on cancelled orders (succeeded payments of cancelled orders,
not refunded), and the amount refunded.
"""

from __future__ import annotations

from decimal import Decimal

from shop.workshop.scenarios import Figure, Outcome
from shop.workshop.world import World, money

INVARIANT = "no money stays captured for a cancelled order"

CHECKOUTS = {
    "ada": {"gooseneck-kettle": 1},
    "grace": {"gooseneck-kettle": 2},
    "edsger": {"gooseneck-kettle": 1, "ceramic-mug": 1},
    "barbara": {"ceramic-mug": 1},
}

CAPTURED_ON_CANCELLED_ORDERS = """
    SELECT payment.order_id, payment.amount
    FROM payments_payment_views AS payment
    JOIN orders_order_views AS orders ON orders.order_id = payment.order_id
    WHERE orders.status = 'cancelled' AND payment.status = 'succeeded'
"""


def run(world: World) -> Outcome:
    for customer, items in CHECKOUTS.items():
        world.check_out(customer, items, "tok_ok")
    world.settle()

    orders = [order for customer in CHECKOUTS for order in world.orders_of(customer)]
    captured = world.rows(CAPTURED_ON_CANCELLED_ORDERS)
    amount_captured = sum((money(row["amount"]) for row in captured), Decimal("0.00"))
    refunded = world.rows("SELECT amount FROM payments_payment_views WHERE status = 'refunded'")
    amount_refunded = sum((money(row["amount"]) for row in refunded), Decimal("0.00"))
    figures = (
        Figure("orders placed", len(orders)),
        Figure("orders completed", sum(order["status"] == "completed" for order in orders)),
        Figure(
            "orders cancelled, out of stock",
            sum(order["cancellation_reason"] == "out of stock" for order in orders),
        ),
        Figure("cancelled orders with money captured", len({row["order_id"] for row in captured})),
        Figure("amount captured on cancelled orders", amount_captured, "EUR"),
        Figure("amount refunded", amount_refunded, "EUR"),
    )
    return Outcome(held=amount_captured == 0 and not captured, figures=figures)
