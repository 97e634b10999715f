"""The nominator's manage link: a long random secret in the link, only its SHA-256 stored.

The secret is 256 random bits, so one fast hash is enough (nothing to stretch), and a lookup by hash
leaks nothing useful through timing.
"""

from __future__ import annotations

import hashlib
import secrets

from ..settings import Settings

PREFIX = "N1"


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def manage_url(settings: Settings, secret: str) -> str:
    return f"{settings.base_url}/nominations/{secret}"


def looks_like_secret(value: str | None) -> bool:
    return value is not None and value.startswith(PREFIX) and 20 <= len(value) <= 100
