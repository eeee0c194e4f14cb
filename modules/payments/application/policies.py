"""How payments reacts to its own events: work that must wait until they are committed."""

from __future__ import annotations

from modules.payments.application.commands import submit_to_provider
from modules.payments.application.context import PaymentsContext
from modules.payments.contracts import PaymentRequested


def submit_requested_payment(requested: PaymentRequested, context: PaymentsContext) -> None:
    """A payment was recorded: now, outside its transaction, ask the provider for it."""
    submit_to_provider(requested.originator_id, context)
