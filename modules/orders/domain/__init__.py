"""The order aggregate and its events: plain Python, no I/O."""
