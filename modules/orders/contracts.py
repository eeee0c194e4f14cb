"""What other modules may know of orders: nothing they must read.

The orders module drives the checkout by sending the other modules commands, whose
schemas those modules own (``payments.contracts``, ``shipments.contracts``). It
publishes no integration event of its own: no module needs one.
"""
