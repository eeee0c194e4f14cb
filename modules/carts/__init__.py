"""Carts: the product catalogue and the customer's shopping cart, up to checkout."""
