"""Use cases of the shipments module: shipping paid orders, managing stock, and the queries."""
