"""Use cases of the orders module: the checkout process manager, and the queries."""
