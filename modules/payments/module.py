"""How the payments module plugs into the shop."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from modules.orders.contracts import ORDER_CANCELLED, ORDER_PLACED
from modules.payments.api.controllers import PaymentController, SandboxWebhookController
from modules.payments.application import policies
from modules.payments.application.ports import PaymentsContext
from modules.payments.contracts import PAYMENT_REQUESTED
from modules.payments.infrastructure.event_store import PaymentsEventStore
from modules.payments.infrastructure.payment_views import PaymentViews
from modules.payments.infrastructure.sandbox.provider import SandboxPaymentProvider
from modules.payments.infrastructure.sandbox.signature import WebhookSignature
from modules.payments.infrastructure.sandbox.worker import SandboxNotifier
from shared.module import BackgroundWorker, ModuleDefinition, ModuleDependencies
from shared.relay import Subscriptions


def build(dependencies: ModuleDependencies) -> PaymentsContext:
    settings = dependencies.settings
    signature = WebhookSignature(settings.sandbox_webhook_secret.get_secret_value())
    sandbox = SandboxPaymentProvider(
        dependencies.datastore, dependencies.clock, signature, SandboxWebhookController.path
    )
    return PaymentsContext(
        transactions=dependencies.transactions_for("payments"),
        event_store=PaymentsEventStore(dependencies.datastore),
        payment_views=PaymentViews(),
        provider=sandbox,
        webhook_verifier=signature,
        webhook_tolerance=timedelta(seconds=settings.webhook_tolerance_seconds),
        clock=dependencies.clock,
        # The sandbox stands in for the provider's servers, which post its webhooks.
        background_workers=(
            SandboxNotifier(
                sandbox, settings.public_base_url, poll_seconds=settings.sandbox_poll_seconds
            ),
        ),
    )


def subscribe(context: PaymentsContext, subscriptions: Subscriptions) -> None:
    subscriptions.subscribe(
        ORDER_PLACED,
        lambda message: policies.on_order_placed(message, context),
        name="payments.on_order_placed",
    )
    subscriptions.subscribe(
        PAYMENT_REQUESTED,
        lambda message: policies.on_payment_requested(message, context),
        name="payments.on_payment_requested",
    )
    subscriptions.subscribe(
        ORDER_CANCELLED,
        lambda message: policies.on_order_cancelled(message, context),
        name="payments.on_order_cancelled",
    )


def background_workers(context: PaymentsContext) -> Sequence[BackgroundWorker]:
    return context.background_workers


payments = ModuleDefinition(
    name="payments",
    build=build,
    route_handlers=[PaymentController, SandboxWebhookController],
    subscribe=subscribe,
    background_workers=background_workers,
)
