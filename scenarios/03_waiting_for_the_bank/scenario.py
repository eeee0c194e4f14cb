"""03 Waiting forever for the bank: the provider never answers, and the orders wait.

Five customers check out a French press each. Four pay with ``tok_no_answer``: the
provider accepts the request and then says nothing, ever, as a bank's card network
does when it loses a request. The fifth pays with ``tok_ok``. The relay and the
provider's webhook sender run until there is nothing left to do; then an hour goes
by, four times the fifteen minutes the shop promises to settle a payment in, and
they run again.

Measured from the system: orders still pending past the payment deadline, payments
still waiting for the provider, and the longest wait of a pending order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shop.workshop.scenarios import Figure, Outcome
from shop.workshop.world import World

PAYMENT_DEADLINE = timedelta(minutes=15)
MINUTE = timedelta(minutes=1)

INVARIANT = (
    "no order waits for its payment longer than the payment deadline (15 minutes), "
    "and no payment stays open for an order that stopped waiting"
)

PRODUCT = "french-press"
CUSTOMERS = {
    "ada": "tok_no_answer",
    "grace": "tok_no_answer",
    "edsger": "tok_no_answer",
    "barbara": "tok_no_answer",
    "donald": "tok_ok",
}


def run(world: World) -> Outcome:
    for customer, payment_method in CUSTOMERS.items():
        world.check_out(customer, {PRODUCT: 1}, payment_method)
    world.settle()

    world.pass_time(timedelta(hours=1))
    world.settle()

    now = world.clock.now()
    orders = [order for customer in CUSTOMERS for order in world.orders_of(customer)]
    waiting = [
        now - datetime.fromisoformat(order["placed_at"])
        for order in orders
        if order["status"] == "pending"
    ]
    overdue = [wait for wait in waiting if wait > PAYMENT_DEADLINE]
    requested = world.rows("SELECT 1 FROM payments_payment_views WHERE status = 'requested'")
    figures = (
        Figure("orders placed", len(orders)),
        Figure("orders completed", sum(order["status"] == "completed" for order in orders)),
        Figure("orders pending past the payment deadline", len(overdue)),
        Figure("payments still waiting for the provider", len(requested)),
        Figure(
            "longest wait of a pending order", max(waiting, default=timedelta()) // MINUTE, "min"
        ),
    )
    held = not overdue and not requested
    return Outcome(held=held, figures=figures)
