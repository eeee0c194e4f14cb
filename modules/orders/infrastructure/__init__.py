"""Persistence of the orders module: its event store and the order read models."""
