"""01 Retries create twins: the relay redelivers after crashes, the provider notifies twice.

Six customers check out one ceramic mug each; three pay with ``tok_notify_twice``, a
provider that sends its success notification twice (as one does when it lost our
acknowledgement). While the relay delivers the checkout's messages, its process
dies after each message's handlers committed and before it recorded the message as
delivered; each time it restarts and delivers that message again.

Measured from the system: orders per confirmed cart, payment requests the provider
received, payments captured, packages sent, and mugs taken from stock against mugs
ordered.
"""

from __future__ import annotations

from shop.workshop.scenarios import Figure, Outcome
from shop.workshop.world import World

INVARIANT = (
    "one order per confirmed cart, one payment requested, captured and shipped per order, "
    "and stock down by exactly what was ordered"
)

PRODUCT = "ceramic-mug"
CUSTOMERS = {
    "ada": "tok_ok",
    "grace": "tok_ok",
    "edsger": "tok_ok",
    "barbara": "tok_notify_twice",
    "donald": "tok_notify_twice",
    "frances": "tok_notify_twice",
}


def run(world: World) -> Outcome:
    stock_before = world.stock_of(PRODUCT)
    for customer, payment_method in CUSTOMERS.items():
        world.check_out(customer, {PRODUCT: 1}, payment_method)

    with world.relay_crashes_before_each_checkpoint():
        world.settle()
    world.settle()

    confirmed = len(CUSTOMERS)
    orders = world.count("orders_order_views")
    requests = world.count("payments_sandbox_requests")
    captures = len(world.rows("SELECT 1 FROM payments_payment_views WHERE status = 'succeeded'"))
    packages = len(world.rows("SELECT 1 FROM shipments_package_views WHERE status = 'sent'"))
    taken = stock_before - world.stock_of(PRODUCT)
    figures = (
        Figure("confirmed carts", confirmed),
        Figure("orders", orders),
        Figure("payment requests at the provider", requests),
        Figure("payments captured", captures),
        Figure("packages sent", packages),
        Figure("mugs ordered", confirmed),
        Figure("mugs taken from stock", taken),
    )
    held = orders == requests == captures == packages == taken == confirmed
    return Outcome(held=held, figures=figures)
