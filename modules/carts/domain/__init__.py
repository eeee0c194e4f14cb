"""The shopping cart aggregate and its events: plain Python, no I/O."""
