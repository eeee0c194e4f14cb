"""The shipments domain: packages, in plain Python."""
