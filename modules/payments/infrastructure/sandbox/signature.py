"""Webhook signatures of the sandbox provider.

The provider signs ``f"{timestamp}.{raw body}"`` with HMAC-SHA256 and the shared
secret, and sends ``Sandbox-Signature: t=<unix seconds>,v1=<hex digest>``. Signing
the timestamp with the body, and refusing old timestamps, keeps a captured request
from being replayed later. Several ``v1`` entries may come while a secret is rotated.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta

SIGNATURE_HEADER = "Sandbox-Signature"
_SCHEME = "v1"
# ASCII only, checked with fullmatch: str.isdigit() also takes "²", which int() refuses,
# and a non-ASCII candidate makes hmac.compare_digest raise.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_DIGEST = re.compile(r"[0-9a-f]{64}")


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
    """The timestamp and the ``v1`` digests of a header; anything malformed is refused whole.

    Entries of other schemes are skipped, as a provider may add a scheme before we know it.
    """
    timestamps: list[int] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, separator, value = item.strip().partition("=")
        if not separator:
            raise InvalidSignature(f"the {SIGNATURE_HEADER} header is malformed")
        if key == "t":
            if not _TIMESTAMP.fullmatch(value):
                raise InvalidSignature(f"the {SIGNATURE_HEADER} header's timestamp is malformed")
            timestamps.append(int(value))
        elif key == _SCHEME:
            if not _DIGEST.fullmatch(value):
                raise InvalidSignature(f"the {SIGNATURE_HEADER} header's digest is malformed")
            signatures.append(value)
    if len(timestamps) != 1 or not signatures:
        raise InvalidSignature(f"the {SIGNATURE_HEADER} header is malformed")
    return timestamps[0], signatures
