"""HTTP face of the carts module: the catalogue and the caller's cart."""
