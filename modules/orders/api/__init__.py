"""HTTP face of the orders module: the caller's orders and their history."""
