"""A payment: the money asked of the customer for one order, and what became of it.

The provider decides whether a payment succeeds or fails; the shop discards a
payment that is no longer wanted because its order was cancelled first. Once a
payment has an outcome, no other outcome can replace it.

The provider's answer is believed only when it is about what the shop asked: the
reference the provider gave when the payment was submitted, the amount and the
currency. A signature proves who sent an answer, not that it is about this payment.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.errors import BusinessRuleViolation


class PaymentStatus(StrEnum):
    REQUESTED = "requested"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DISCARDED = "discarded"


class PaymentAlreadySettled(BusinessRuleViolation):
    pass


class AnswerDoesNotMatch(BusinessRuleViolation):
    """The provider's answer names another reference, amount or currency than the payment's."""


class Payment(Aggregate):
    class Requested(Aggregate.Created):
        order_id: UUID
        customer_id: str
        amount: Decimal
        currency: str
        payment_method: str

    class Submitted(Aggregate.Event):
        provider_reference: str

    class Succeeded(Aggregate.Event):
        order_id: UUID
        provider_reference: str

    class Failed(Aggregate.Event):
        order_id: UUID
        reason: str

    class Discarded(Aggregate.Event):
        order_id: UUID
        reason: str

    @event(Requested)
    def __init__(
        self,
        order_id: UUID,
        customer_id: str,
        amount: Decimal,
        currency: str,
        payment_method: str,
    ) -> None:
        self.order_id = order_id
        self.customer_id = customer_id
        self.amount = amount
        self.currency = currency
        self.payment_method = payment_method
        self.status = PaymentStatus.REQUESTED
        self.provider_reference: str | None = None
        self.failure_reason: str | None = None

    @property
    def is_pending(self) -> bool:
        return self.status is PaymentStatus.REQUESTED

    def record_submission(self, provider_reference: str) -> None:
        """The provider accepted the request under ``provider_reference``.

        Nothing changes when that reference is already known; another reference than the
        one known (from an answer that came first) raises :class:`AnswerDoesNotMatch`.
        """
        if self.provider_reference == provider_reference:
            return
        if self.provider_reference is not None:
            msg = (
                f"payment {self.id} is known to the provider as {self.provider_reference}, "
                f"not {provider_reference}"
            )
            raise AnswerDoesNotMatch(msg)
        self._submitted(provider_reference)

    @event(Submitted)
    def _submitted(self, provider_reference: str) -> None:
        self.provider_reference = provider_reference

    def verify_answer(self, provider_reference: str, amount: Decimal, currency: str) -> None:
        """Raises :class:`AnswerDoesNotMatch` unless an answer naming this reference, amount
        and currency is about this payment.

        Before the submission is recorded (an answer may outrun it: the provider answers
        as soon as it has accepted the request), any reference is taken; the amount and
        currency must match all the same, and the submission must then name the same one.
        """
        if (amount, currency) != (self.amount, self.currency):
            msg = f"payment {self.id} is for {self.amount} {self.currency}, not {amount} {currency}"
            raise AnswerDoesNotMatch(msg)
        if self.provider_reference not in (None, provider_reference):
            msg = (
                f"payment {self.id} is known to the provider as {self.provider_reference}, "
                f"not {provider_reference}"
            )
            raise AnswerDoesNotMatch(msg)

    def succeed(self, provider_reference: str) -> None:
        if self.status in (PaymentStatus.FAILED, PaymentStatus.DISCARDED):
            raise PaymentAlreadySettled(f"payment {self.id} is {self.status}; it cannot succeed")
        self._succeeded(self.order_id, provider_reference)

    @event(Succeeded)
    def _succeeded(self, order_id: UUID, provider_reference: str) -> None:
        self.status = PaymentStatus.SUCCEEDED
        self.provider_reference = provider_reference

    def fail(self, reason: str) -> None:
        if self.status in (PaymentStatus.SUCCEEDED, PaymentStatus.DISCARDED):
            raise PaymentAlreadySettled(f"payment {self.id} is {self.status}; it cannot fail")
        self._failed(self.order_id, reason)

    @event(Failed)
    def _failed(self, order_id: UUID, reason: str) -> None:
        self.status = PaymentStatus.FAILED
        self.failure_reason = reason

    def discard(self, reason: str) -> None:
        if self.status in (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED):
            raise PaymentAlreadySettled(
                f"payment {self.id} is {self.status}; it cannot be discarded"
            )
        self._discarded(self.order_id, reason)

    @event(Discarded)
    def _discarded(self, order_id: UUID, reason: str) -> None:
        self.status = PaymentStatus.DISCARDED
        self.failure_reason = reason
