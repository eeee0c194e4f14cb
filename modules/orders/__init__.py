"""Orders: the customer's order and the checkout process that drives it to completion."""
