"""Payments: asking the payment provider for money, and recording what it answers."""
