"""The one-time token in a survey link: derived from SECRET_KEY and the registration, so the invitation and its
reminder carry the same link without the token being stored; the database holds only its SHA-256."""

from __future__ import annotations

import base64
import hashlib
import hmac
from uuid import UUID

PURPOSE = b"survey:"


def token_for(key: bytes, registration_id: UUID) -> str:
    """128 bits of HMAC over the registration id, URL-safe."""
    tag = hmac.new(key, PURPOSE + registration_id.bytes, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(tag).rstrip(b"=").decode()


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def matching_token(keys: tuple[bytes, ...], registration_id: UUID, stored_hash: bytes) -> str | None:
    """The token (made with whichever key of a rotation made it) whose hash is the stored one."""
    for key in keys:
        token = token_for(key, registration_id)
        if hmac.compare_digest(token_hash(token), stored_hash):
            return token
    return None
