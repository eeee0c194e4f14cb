"""The shared kernel: the plumbing every module uses and no module owns.

Event store construction, the unit of work, the outbox and its relay, the clock,
settings types and the web error format live here. Nothing in this package knows
about carts, orders, payments or shipments; it must never import ``modules``.
"""
