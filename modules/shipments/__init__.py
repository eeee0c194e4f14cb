"""Shipments: stock on hand, and the packages sent for paid orders."""
