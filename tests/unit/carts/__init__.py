"""Specifications of the shopping cart aggregate: given events, when a command, then events."""
