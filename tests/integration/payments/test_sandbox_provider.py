"""The sandbox provider behaves like an external one: it answers later, through a signed
webhook, keeps its notifications until they are acknowledged, and retries them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from modules.payments.infrastructure.sandbox.provider import (
    FIRST_RETRY_DELAY,
    LONGEST_RETRY_DELAY,
    SandboxPaymentProvider,
)
from modules.payments.infrastructure.sandbox.signature import SIGNATURE_HEADER, WebhookSignature
from modules.payments.infrastructure.tables import sandbox_notifications, sandbox_requests
from shared.clock import ManualClock
from shared.settings import Settings
from shop.bootstrap import Shop
from tests.integration.payments.support import WEBHOOK_PATH, RecordingSender, rows, sandbox_of

PAYMENT_ID = UUID("00000000-0000-4000-8000-0000000000a1")
A_SECOND = timedelta(seconds=1)


@pytest.fixture
def sandbox(shop: Shop) -> SandboxPaymentProvider:
    return sandbox_of(shop)


def request(
    sandbox: SandboxPaymentProvider, payment_method: str, payment_id: UUID = PAYMENT_ID
) -> str:
    return sandbox.request_payment(payment_id, Decimal("63.80"), "EUR", payment_method)


def another_sandbox(shop: Shop, clock: ManualClock, settings: Settings) -> SandboxPaymentProvider:
    """A second instance over the same database: a restarted or a competing worker."""
    signature = WebhookSignature(settings.sandbox_webhook_secret.get_secret_value())
    return SandboxPaymentProvider(shop.datastore, clock, signature, WEBHOOK_PATH)


# --- outcomes by test payment method ---------------------------------------------------------


def test_tok_ok_succeeds_through_a_signed_webhook(
    sandbox: SandboxPaymentProvider, settings: Settings, clock: ManualClock
) -> None:
    reference = request(sandbox, "tok_ok")
    sender = RecordingSender()

    assert sandbox.deliver_due_notifications(sender) == 1

    [(path, body, headers)] = sender.calls
    assert path == WEBHOOK_PATH
    assert headers["Content-Type"] == "application/json"
    WebhookSignature(settings.sandbox_webhook_secret.get_secret_value()).verify(
        headers[SIGNATURE_HEADER], body, now=clock.now(), tolerance=timedelta(0)
    )
    [notification] = sender.bodies
    assert notification["type"] == "payment.succeeded"
    assert notification["payment_id"] == str(PAYMENT_ID)
    assert notification["reference"] == reference
    assert notification["id"].startswith("evt_")
    assert reference.startswith("sbx_")


@pytest.mark.parametrize(
    ("payment_method", "reason"),
    [("tok_declined", "card declined"), ("tok_unheard_of", "unknown payment method")],
)
def test_a_declined_or_unknown_payment_method_fails_with_a_reason(
    sandbox: SandboxPaymentProvider, payment_method: str, reason: str
) -> None:
    reference = request(sandbox, payment_method)
    sender = RecordingSender()

    assert sandbox.deliver_due_notifications(sender) == 1

    [notification] = sender.bodies
    assert notification["type"] == "payment.failed"
    assert notification["failure_reason"] == reason
    assert (notification["payment_id"], notification["reference"]) == (str(PAYMENT_ID), reference)


def test_tok_no_answer_never_answers(
    shop: Shop, sandbox: SandboxPaymentProvider, clock: ManualClock
) -> None:
    request(sandbox, "tok_no_answer")
    sender = RecordingSender()

    clock.advance(timedelta(days=30))

    assert sandbox.deliver_due_notifications(sender) == 0
    assert sender.calls == []
    assert rows(shop, sandbox_requests) == 1


def test_tok_notify_twice_delivers_the_same_notification_twice(
    sandbox: SandboxPaymentProvider,
) -> None:
    request(sandbox, "tok_notify_twice")
    sender = RecordingSender()

    assert sandbox.deliver_due_notifications(sender) == 2

    first, second = sender.calls
    assert first[1] == second[1]
    assert [body["type"] for body in sender.bodies] == ["payment.succeeded"] * 2
    assert sandbox.deliver_due_notifications(sender) == 0
    assert len(sender.calls) == 2


def test_the_answer_comes_later_not_with_the_request(
    shop: Shop, sandbox: SandboxPaymentProvider
) -> None:
    request(sandbox, "tok_ok")

    assert rows(shop, sandbox_notifications) == 1
    assert sandbox.deliver_due_notifications(RecordingSender()) == 1


# --- requests are idempotent by payment id ---------------------------------------------------


def test_asking_again_for_the_same_payment_returns_the_first_reference_and_answers_once(
    shop: Shop, sandbox: SandboxPaymentProvider
) -> None:
    first = request(sandbox, "tok_ok")
    again = request(sandbox, "tok_ok")
    sender = RecordingSender()

    assert again == first
    assert rows(shop, sandbox_requests) == 1
    assert sandbox.deliver_due_notifications(sender) == 1
    assert len(sender.calls) == 1


def test_different_payments_get_different_references(sandbox: SandboxPaymentProvider) -> None:
    assert request(sandbox, "tok_ok", uuid4()) != request(sandbox, "tok_ok", uuid4())


# --- delivery until acknowledged -------------------------------------------------------------


def test_an_acknowledged_notification_is_not_sent_again(
    sandbox: SandboxPaymentProvider, clock: ManualClock
) -> None:
    request(sandbox, "tok_ok")
    sender = RecordingSender()
    sandbox.deliver_due_notifications(sender)

    clock.advance(timedelta(days=1))

    assert sandbox.deliver_due_notifications(sender) == 0
    assert len(sender.calls) == 1


@pytest.mark.parametrize("refusal", [500, 503, 401, 404, 302])
def test_a_notification_the_webhook_did_not_acknowledge_is_retried_after_a_delay(
    sandbox: SandboxPaymentProvider, clock: ManualClock, refusal: int
) -> None:
    request(sandbox, "tok_ok")
    sender = RecordingSender(statuses=[refusal])
    assert sandbox.deliver_due_notifications(sender) == 0

    assert sandbox.deliver_due_notifications(sender) == 0
    clock.advance(FIRST_RETRY_DELAY - A_SECOND)
    assert sandbox.deliver_due_notifications(sender) == 0
    assert len(sender.calls) == 1

    clock.advance(A_SECOND)
    assert sandbox.deliver_due_notifications(sender) == 1

    first, retry = sender.calls
    assert retry[1] == first[1]
    # Each attempt is signed when it is sent, so the retry is not refused as stale.
    assert retry[2][SIGNATURE_HEADER] != first[2][SIGNATURE_HEADER]
    assert retry[2][SIGNATURE_HEADER].startswith(f"t={int(clock.now().timestamp())},")


def test_a_webhook_that_cannot_be_reached_is_retried(
    sandbox: SandboxPaymentProvider, clock: ManualClock
) -> None:
    request(sandbox, "tok_ok")
    attempts: list[bytes] = []

    def unreachable(path: str, body: bytes, headers: dict[str, str]) -> int:
        attempts.append(body)
        raise ConnectionRefusedError("nobody listening")

    assert sandbox.deliver_due_notifications(unreachable) == 0
    clock.advance(FIRST_RETRY_DELAY)
    sender = RecordingSender()

    assert sandbox.deliver_due_notifications(sender) == 1
    assert [body for _, body, _ in sender.calls] == attempts


def test_retries_back_off_exponentially_up_to_an_hour(
    sandbox: SandboxPaymentProvider, clock: ManualClock
) -> None:
    request(sandbox, "tok_ok")
    failing = RecordingSender(statuses=[500] * 20)
    sandbox.deliver_due_notifications(failing)
    delays = [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]

    for attempts_so_far, delay in enumerate(delays, start=1):
        clock.advance(timedelta(seconds=delay) - A_SECOND)
        sandbox.deliver_due_notifications(failing)
        assert len(failing.calls) == attempts_so_far, f"retried before {delay}s"
        clock.advance(A_SECOND)
        sandbox.deliver_due_notifications(failing)
        assert len(failing.calls) == attempts_so_far + 1, f"not retried after {delay}s"

    assert timedelta(seconds=delays[0]) == FIRST_RETRY_DELAY
    assert timedelta(seconds=delays[-1]) == LONGEST_RETRY_DELAY


def test_each_due_notification_is_attempted_once_per_round_however_slow_the_webhook(
    sandbox: SandboxPaymentProvider, clock: ManualClock
) -> None:
    request(sandbox, "tok_ok")
    attempts = 0

    def slow_and_failing(path: str, body: bytes, headers: dict[str, str]) -> int:
        nonlocal attempts
        attempts += 1
        clock.advance(LONGEST_RETRY_DELAY)  # long enough for the retry to fall due meanwhile
        return 504

    assert sandbox.deliver_due_notifications(slow_and_failing) == 0
    assert attempts == 1
    assert sandbox.deliver_due_notifications(RecordingSender()) == 1


# --- durability and competing senders --------------------------------------------------------


def test_a_new_sandbox_over_the_same_database_still_delivers_what_is_pending(
    shop: Shop, sandbox: SandboxPaymentProvider, clock: ManualClock, settings: Settings
) -> None:
    request(sandbox, "tok_declined")
    assert sandbox.deliver_due_notifications(RecordingSender(statuses=[500])) == 0
    request(sandbox, "tok_ok", uuid4())

    restarted = another_sandbox(shop, clock, settings)
    clock.advance(FIRST_RETRY_DELAY)
    sender = RecordingSender()

    assert restarted.deliver_due_notifications(sender) == 2
    assert sorted(body["type"] for body in sender.bodies) == ["payment.failed", "payment.succeeded"]
    assert restarted.deliver_due_notifications(sender) == 0


def test_a_crash_while_sending_leaves_the_notification_to_be_retried(
    shop: Shop, sandbox: SandboxPaymentProvider, clock: ManualClock, settings: Settings
) -> None:
    request(sandbox, "tok_ok")

    def crashing(path: str, body: bytes, headers: dict[str, str]) -> int:
        raise SystemExit("the worker process dies mid-request")

    with pytest.raises(SystemExit):
        sandbox.deliver_due_notifications(crashing)
    restarted = another_sandbox(shop, clock, settings)
    clock.advance(FIRST_RETRY_DELAY)

    assert restarted.deliver_due_notifications(RecordingSender()) == 1


def test_two_senders_at_once_never_post_the_same_attempt(
    shop: Shop, sandbox: SandboxPaymentProvider, clock: ManualClock, settings: Settings
) -> None:
    request(sandbox, "tok_ok")
    competitor = another_sandbox(shop, clock, settings)
    competitor_sender = RecordingSender()

    def slow_webhook(path: str, body: bytes, headers: dict[str, str]) -> int:
        # While this attempt is in flight, another worker looks for due notifications.
        competitor.deliver_due_notifications(competitor_sender)
        return 200

    assert sandbox.deliver_due_notifications(slow_webhook) == 1
    assert competitor_sender.calls == []
