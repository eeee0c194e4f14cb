"""Use cases of the carts module: one small handler per command, and the queries."""
