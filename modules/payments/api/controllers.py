"""Routes of the payments module. Handlers are sync: the event store is synchronous."""

from __future__ import annotations

import logging
from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, ValidationException
from litestar.params import FromQuery, HeaderParameter, RawBody
from litestar.status_codes import HTTP_200_OK
from pydantic import ValidationError

from modules.payments.api.schemas import NotificationReceived, PaymentResponse
from modules.payments.application import queries
from modules.payments.application.commands import (
    ProviderAnswer,
    RecordPaymentFailed,
    RecordPaymentSucceeded,
    record_payment_failed,
    record_payment_succeeded,
)
from modules.payments.application.context import PaymentsContext
from modules.payments.domain.payment import AnswerDoesNotMatch, PaymentAlreadySettled
from modules.payments.infrastructure.sandbox.notifications import (
    PaymentSucceededNotification,
    notification_adapter,
)
from modules.payments.infrastructure.sandbox.signature import SIGNATURE_HEADER, InvalidSignature
from shared.errors import InvalidRequest, NotFound
from shared.web.auth import BEARER_SECURITY, Principal
from shared.web.openapi import problems

logger = logging.getLogger(__name__)

SignatureHeader = Annotated[str | None, HeaderParameter(name=SIGNATURE_HEADER, required=False)]


class PaymentController(Controller):
    path = "/api/payments"
    security = BEARER_SECURITY
    tags = ["payments"]

    @get("/", sync_to_thread=True)
    def payments_of_order(
        self,
        payments: NamedDependency[PaymentsContext],
        principal: NamedDependency[Principal],
        order_id: FromQuery[UUID],
    ) -> list[PaymentResponse]:
        """The order's payments, oldest first; a customer sees only their own, an admin all.

        Another customer's order has, for the caller, no payments: the answer is the same
        as for an order that does not exist.
        """
        views = queries.payments_of_order(order_id, principal.owner_filter, payments)
        return [PaymentResponse.model_validate(view) for view in views]


class SandboxWebhookController(Controller):
    """Notifications from the sandbox provider, authenticated by their signature alone."""

    path = "/api/payments/webhooks/sandbox"
    tags = ["payments"]

    @post("/", status_code=HTTP_200_OK, responses=problems(401, 422), sync_to_thread=True)
    def receive_notification(
        self,
        payments: NamedDependency[PaymentsContext],
        body: RawBody,
        signature: SignatureHeader,
    ) -> NotificationReceived:
        """Records the provider's answer. Authenticated by the ``Sandbox-Signature`` header;
        an answer whose reference, amount or currency is not the payment's is a 422."""
        try:
            payments.webhook_verifier.verify(
                signature, body, now=payments.clock.now(), tolerance=payments.webhook_tolerance
            )
        except InvalidSignature as error:
            raise NotAuthorizedException(
                str(error), headers={"WWW-Authenticate": SIGNATURE_HEADER}
            ) from None
        try:
            notification = notification_adapter.validate_json(body)
        except ValidationError as error:
            raise ValidationException(
                "the notification is not one the sandbox provider sends",
                extra=error.errors(include_url=False, include_context=False, include_input=False),
            ) from None
        # The provider retries anything but a 2xx. An answer about a payment we do not know,
        # or one that contradicts an outcome already recorded, would be refused again on
        # every retry: it is acknowledged, and logged for someone to look at.
        answer = ProviderAnswer(notification.reference, notification.amount, notification.currency)
        try:
            if isinstance(notification, PaymentSucceededNotification):
                record_payment_succeeded(
                    RecordPaymentSucceeded(notification.payment_id, answer), payments
                )
            else:
                record_payment_failed(
                    RecordPaymentFailed(
                        notification.payment_id, notification.failure_reason, answer
                    ),
                    payments,
                )
        except NotFound:
            logger.warning(
                "sandbox notification %s is about unknown payment %s; ignored",
                notification.id,
                notification.payment_id,
            )
            return NotificationReceived(outcome="ignored")
        except AnswerDoesNotMatch as mismatch:
            # Signed, yet not about what the shop asked: a forged or misrouted answer. It is
            # refused, never recorded, and someone has to look at it.
            logger.error(
                "sandbox notification %s (%s) refused: %s",
                notification.id,
                notification.type,
                mismatch.detail,
            )
            raise InvalidRequest("the notification does not match the payment it names") from None
        except PaymentAlreadySettled as refused:
            logger.error(
                "sandbox notification %s (%s) ignored: %s",
                notification.id,
                notification.type,
                refused.detail,
            )
            return NotificationReceived(outcome="ignored")
        return NotificationReceived(outcome="recorded")
