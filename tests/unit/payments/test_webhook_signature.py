"""The sandbox provider's webhook signature: HMAC-SHA256 over "<timestamp>.<raw body>"."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta

import pytest

from modules.payments.infrastructure.sandbox.signature import InvalidSignature, WebhookSignature

SECRET = "whsec-test-0123456789abcdef0123456789"
BODY = b'{"id":"evt_1","type":"payment.succeeded"}'
SIGNED_AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
TOLERANCE = timedelta(minutes=5)

signature = WebhookSignature(SECRET)


def verify(header: str | None, body: bytes = BODY, now: datetime = SIGNED_AT) -> None:
    signature.verify(header, body, now=now, tolerance=TOLERANCE)


def test_the_header_carries_the_unix_timestamp_and_the_hex_hmac_of_timestamp_dot_body() -> None:
    header = signature.sign(BODY, SIGNED_AT)

    timestamp = int(SIGNED_AT.timestamp())
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + BODY, hashlib.sha256)
    assert header == f"t={timestamp},v1={expected.hexdigest()}"
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)


def test_a_signature_made_with_the_secret_verifies() -> None:
    verify(signature.sign(BODY, SIGNED_AT))


@pytest.mark.parametrize("age", [timedelta(0), TOLERANCE, -TOLERANCE])
def test_a_timestamp_within_the_tolerance_either_way_is_accepted(age: timedelta) -> None:
    verify(signature.sign(BODY, SIGNED_AT), now=SIGNED_AT + age)


def test_a_missing_header_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="missing"):
        verify(None)
    with pytest.raises(InvalidSignature, match="missing"):
        verify("")


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        "v1=abcdef",
        "t=1767268800",
        "t=,v1=abcdef",
        "t=soon,v1=abcdef",
        "t=-1767268800,v1=abcdef",
        "t=1767268800,v1=",
        "t=99999999999999999999,v1=abcdef",
        pytest.param(f"t=²,v1={'0' * 64}", id="a superscript digit, which isdigit() takes"),
        pytest.param(f"t=١٧٦٧٢٦٨٨٠٠,v1={'0' * 64}", id="Arabic-Indic digits"),
        pytest.param(f"t=1767268800,v1={'é' * 64}", id="a non-ASCII digest"),
        pytest.param(f"t=1767268800,v1={'0' * 63}", id="a digest too short"),
        pytest.param(f"t=1767268800,t=1767268801,v1={'0' * 64}", id="two timestamps"),
        pytest.param(f"t=1767268800,v1={'0' * 64},junk", id="an entry without a value"),
        pytest.param(f"t= 1767268800,v1={'0' * 64}", id="a space in the timestamp"),
    ],
)
def test_a_malformed_header_is_refused(header: str) -> None:
    with pytest.raises(InvalidSignature, match="malformed"):
        verify(header)


def test_a_changed_body_is_refused() -> None:
    header = signature.sign(BODY, SIGNED_AT)

    with pytest.raises(InvalidSignature, match="does not match"):
        verify(header, body=BODY.replace(b"succeeded", b"failed"))


def test_a_signature_made_with_another_secret_is_refused() -> None:
    header = WebhookSignature("someone-else-0123456789abcdef0123").sign(BODY, SIGNED_AT)

    with pytest.raises(InvalidSignature, match="does not match"):
        verify(header)


def test_a_signature_moved_to_another_timestamp_is_refused() -> None:
    digest = signature.sign(BODY, SIGNED_AT).split(",")[1]
    later = int(SIGNED_AT.timestamp()) + 60

    with pytest.raises(InvalidSignature, match="does not match"):
        verify(f"t={later},{digest}", now=SIGNED_AT + timedelta(seconds=60))


@pytest.mark.parametrize("age", [TOLERANCE + timedelta(seconds=1), timedelta(days=1)])
def test_a_stale_signature_is_refused_so_a_captured_request_cannot_be_replayed(
    age: timedelta,
) -> None:
    header = signature.sign(BODY, SIGNED_AT)

    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(header, now=SIGNED_AT + age)


def test_a_signature_from_the_future_beyond_the_tolerance_is_refused() -> None:
    header = signature.sign(BODY, SIGNED_AT + TOLERANCE + timedelta(seconds=1))

    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(header)


def test_any_matching_v1_signature_is_enough_while_the_secret_is_rotated() -> None:
    old = WebhookSignature("the-old-secret-0123456789abcdef0123").sign(BODY, SIGNED_AT)
    new = signature.sign(BODY, SIGNED_AT)
    timestamp, old_digest = old.split(",")
    new_digest = new.split(",")[1]

    verify(f"{timestamp},{old_digest},{new_digest}")
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(f"{timestamp},{old_digest}")
