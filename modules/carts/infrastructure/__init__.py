"""Persistence of the carts module: its event store, the catalogue and the cart read model."""
