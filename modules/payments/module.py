"""How the payments module plugs into the shop."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from modules.payments.api.controllers import PaymentController, SandboxWebhookController
from modules.payments.application import commands, policies
from modules.payments.application.context import PaymentsContext
from modules.payments.contracts import DiscardPayment, PaymentRequested, RequestPayment
from modules.payments.infrastructure.event_sourcing import PaymentsApplication
from modules.payments.infrastructure.payment_views import PaymentViews
from modules.payments.infrastructure.sandbox.provider import SandboxPaymentProvider
from modules.payments.infrastructure.sandbox.signature import WebhookSignature
from modules.payments.infrastructure.sandbox.worker import SandboxNotifier
from shared.module import BackgroundWorker, ModuleDefinition, ModuleDependencies

NAME = "payments"


def build(dependencies: ModuleDependencies) -> PaymentsContext:
    settings = dependencies.settings
    signature = WebhookSignature(settings.sandbox_webhook_secret.get_secret_value())
    return PaymentsContext(
        transactions=dependencies.transactions_for(NAME),
        aggregates=PaymentsApplication(dependencies.datastore),
        payment_views=PaymentViews(),
        provider=SandboxPaymentProvider(
            dependencies.datastore, dependencies.clock, signature, SandboxWebhookController.path
        ),
        webhook_verifier=signature,
        webhook_tolerance=timedelta(seconds=settings.webhook_tolerance_seconds),
        clock=dependencies.clock,
    )


def background_workers(
    context: PaymentsContext, dependencies: ModuleDependencies
) -> Sequence[BackgroundWorker]:
    # The sandbox stands in for the provider's servers, which post its webhooks.
    if not isinstance(context.provider, SandboxPaymentProvider):
        return ()
    settings = dependencies.settings
    return (
        SandboxNotifier(
            context.provider, settings.public_base_url, poll_seconds=settings.sandbox_poll_seconds
        ),
    )


payments = ModuleDefinition(
    name=NAME,
    build=build,
    route_handlers=[PaymentController, SandboxWebhookController],
    routes={
        RequestPayment: commands.request_payment,
        DiscardPayment: commands.discard_payment,
        PaymentRequested: policies.submit_requested_payment,
    },
    background_workers=background_workers,
)
