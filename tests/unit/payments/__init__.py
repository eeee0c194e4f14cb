"""Specifications of the payment aggregate and of the sandbox provider's webhook signatures."""
