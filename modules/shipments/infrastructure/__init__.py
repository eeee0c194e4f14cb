"""Persistence of the shipments module: its event store, the stock and the package read model."""
