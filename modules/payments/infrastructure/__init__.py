"""Persistence and adapters of the payments module: its event store, the payment read
model, and the sandbox payment provider."""
