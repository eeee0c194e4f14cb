"""The payment and its life: requested, then succeeded, failed or discarded. Plain Python."""
