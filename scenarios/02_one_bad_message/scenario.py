"""02 One bad message stops the shop: a payload no handler can read, then a morning's orders.

A newer release of the carts module is rolled out to one machine first. Before it is
rolled back, it confirms a cart and publishes ``carts.ShoppingCart.Confirmed`` in its
new shape: items are ``lines``, amounts are objects with their currency. Then five
customers check out a bag of espresso beans each through the API, paying with
``tok_ok``. The worker runs as in production, polling every 30 seconds of the clock,
for a deadline of 15 minutes; nothing in the story sleeps.

Measured from the system: orders placed, checkouts completed within the deadline
(orders whose status is ``completed``), and the backlog at the deadline: committed
messages the relay has not delivered.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from shop.workshop.scenarios import Figure, Outcome
from shop.workshop.world import World

INVARIANT = (
    "one message no handler can process holds back no other message: "
    "every checkout completes within the deadline"
)

PRODUCT = "espresso-beans-1kg"
CUSTOMERS = ("ada", "grace", "edsger", "barbara", "donald")
DEADLINE = timedelta(minutes=15)
POLL = timedelta(seconds=30)

# What carts' next release publishes: the same event, in a shape this release cannot read.
FROM_A_NEWER_RELEASE = {
    "originator_id": str(UUID("0f0f0f0f-0000-4000-8000-000000000002")),
    "customer_id": "early-adopter",
    "lines": [
        {"sku": PRODUCT, "quantity": 1, "unit_price": {"amount": "24.90", "currency": "EUR"}}
    ],
    "total": {"amount": "24.90", "currency": "EUR"},
    "payment_method": "tok_ok",
    "schema_version": 2,
}


def run(world: World) -> Outcome:
    world.publish("carts", "carts.ShoppingCart.Confirmed", FROM_A_NEWER_RELEASE)
    for customer in CUSTOMERS:
        world.check_out(customer, {PRODUCT: 1}, "tok_ok")

    world.run_for(DEADLINE, every=POLL)

    placed = world.count("orders_order_views")
    completed = len(world.rows("SELECT 1 FROM orders_order_views WHERE status = 'completed'"))
    backlog = world.shop.relay.backlog()
    figures = (
        Figure("checkouts", len(CUSTOMERS)),
        Figure("orders placed", placed),
        Figure("checkouts completed within the deadline", completed),
        Figure("messages committed, not delivered", backlog),
    )
    return Outcome(held=completed == len(CUSTOMERS) and backlog == 0, figures=figures)
