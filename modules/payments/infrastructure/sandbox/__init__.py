"""The sandbox payment provider: a stand-in for an external provider, with its own tables.

It behaves as a real provider does: it accepts a request at once, answers later
through a signed webhook, retries that webhook until the shop acknowledges it,
and its test payment methods decline, never answer, or notify twice.
"""
