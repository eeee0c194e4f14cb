"""HTTP face of the payments module: the order's payments, and the provider's webhook."""
