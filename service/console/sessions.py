"""Console sessions and CSRF tokens.

A session is a random cookie value; only its SHA-256 is stored, with an absolute expiry. The CSRF token of
a form is an HMAC (keyed with SECRET_KEY) of the value it is bound to: the session cookie once signed in,
or a random pre-session cookie on the sign-in and password forms. A forged cross-site form cannot know
either cookie, so it cannot carry the matching token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg

from ..accounts.schemas import Principal
from . import queries

SESSION_COOKIE = "mp_session"
PRESESSION_COOKIE = "mp_presession"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_LIFETIME = timedelta(hours=12)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def start_session(conn: asyncpg.Connection, principal: Principal, *, now: datetime) -> str:
    """A new session for the principal; returns the cookie value (stored only hashed)."""
    token = new_token()
    await queries.insert_session(conn, hash_token(token), principal.user_id, now, now + SESSION_LIFETIME)
    return token


async def principal_of_session(conn: asyncpg.Connection, token: str, *, now: datetime) -> Principal | None:
    """The signed-in user of a session cookie, or None for an unknown or expired one."""
    if not token or len(token) > 100:
        return None
    row = await queries.principal_by_session(conn, hash_token(token), now)
    if row is None:
        return None
    return Principal(user_id=row.id, email=row.email, role=row.role, language=row.language)


async def end_session(conn: asyncpg.Connection, token: str) -> None:
    """Sign out: the session stops working at once. Idempotent."""
    await queries.delete_session(conn, hash_token(token))


def csrf_token(secret: bytes, binding: str) -> str:
    """The token a form bound to `binding` (a session or pre-session cookie value) must carry."""
    digest = hmac.new(secret, b"csrf:" + binding.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_ok(keys: Sequence[bytes], binding: str | None, offered: str | None) -> bool:
    """True when `offered` is the token of `binding` under one of `keys` (a form opened before a key rotation)."""
    if not binding or not offered:
        return False
    return any(hmac.compare_digest(csrf_token(key, binding), offered) for key in keys)
