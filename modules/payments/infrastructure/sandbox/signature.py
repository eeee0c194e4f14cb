"""Webhook signatures of the sandbox provider.

The provider signs ``f"{timestamp}.{raw body}"`` with HMAC-SHA256 and the shared
secret, and sends ``Sandbox-Signature: t=<unix seconds>,v1=<hex digest>``. Signing
the timestamp with the body, and refusing old timestamps, keeps a captured request
from being replayed later. Several ``v1`` entries may come while a secret is rotated.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

SIGNATURE_HEADER = "Sandbox-Signature"
_SCHEME = "v1"
_MAX_TIMESTAMP_DIGITS = 12


class InvalidSignature(Exception):
    pass


class WebhookSignature:
    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def sign(self, body: bytes, at: datetime) -> str:
        timestamp = int(at.timestamp())
        return f"t={timestamp},{_SCHEME}={self._digest(timestamp, body)}"

    def verify(
        self, header: str | None, body: bytes, *, now: datetime, tolerance: timedelta
    ) -> None:
        if not header:
            raise InvalidSignature(f"the {SIGNATURE_HEADER} header is missing")
        timestamp, signatures = _parse(header)
        if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
            raise InvalidSignature("the signature's timestamp is outside the tolerance")
        expected = self._digest(timestamp, body)
        if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            raise InvalidSignature("the signature does not match the body")

    def _digest(self, timestamp: int, body: bytes) -> str:
        return hmac.new(self._key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= _MAX_TIMESTAMP_DIGITS:
            timestamp = int(value)
        elif key == _SCHEME and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidSignature(f"the {SIGNATURE_HEADER} header is malformed")
    return timestamp, signatures
