"""HTTP face of the shipments module: stock for operations, packages for their customers."""
