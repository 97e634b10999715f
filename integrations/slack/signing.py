"""Verifying that a request comes from Slack (v0 signatures), with slack-sdk's SignatureVerifier.

The raw body is verified before anything parses it. A timestamp more than five minutes from now, a missing
header, a timestamp that is not a number or a wrong signature all fail; the clock is injectable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from slack_sdk.signature import Clock, SignatureVerifier


class _InjectedClock(Clock):
    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now().timestamp()


class RequestVerifier:
    """`verifier.verify(body, headers)` is True only for a correctly signed, fresh request."""

    def __init__(self, signing_secret: str, now: Callable[[], datetime]) -> None:
        self._verifier = SignatureVerifier(signing_secret, clock=_InjectedClock(now))

    def verify(self, body: bytes, headers: Mapping[str, str]) -> bool:
        try:
            return self._verifier.is_valid_request(body, dict(headers))
        except (ValueError, TypeError):  # a timestamp that is not a whole number
            return False

    def sign(self, body: bytes, timestamp: int) -> str:
        """The signature Slack would send (for tests and the benchmark)."""
        signature = self._verifier.generate_signature(timestamp=str(timestamp), body=body)
        assert signature is not None
        return signature
