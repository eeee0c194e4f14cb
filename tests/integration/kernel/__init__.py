"""Integration tests of the shared kernel: unit of work, outbox, relay, event stores, leases."""
