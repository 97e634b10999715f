"""Creating users and tokens, authenticating tokens, and checking event and series scopes."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, datetime, time, timedelta
from uuid import UUID

import asyncpg

from ..errors import Conflict, Forbidden, Invalid, Unauthorized
from ..types import OSLO
from . import queries
from .schemas import ROLES, NewUser, Principal

TOKEN_PREFIX = "mp_"
TOKEN_LIFETIME = timedelta(days=365)  # a token nobody renews stops working within a year
MAX_TOKEN_LIFETIME = timedelta(days=5 * 365)


def hash_token(token: str) -> bytes:
    """Tokens are 256-bit random strings, so one fast hash is enough (no password stretching needed)."""
    return hashlib.sha256(token.encode()).digest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_expiry(text: str, *, now: datetime) -> datetime:
    """When a token given `--expires` ends: `30d` (days from now) or a date (valid through that day, Oslo time).
    Raises Invalid (invalid_expiry) for anything else, a time not in the future or more than five years ahead."""
    text = text.strip()
    days = re.fullmatch(r"(\d{1,4})d", text)
    try:
        if days:
            expires_at = now + timedelta(days=int(days.group(1)))
        else:
            expires_at = datetime.combine(date.fromisoformat(text) + timedelta(days=1), time(), OSLO)
    except ValueError:
        expires_at = now
    if not now < expires_at <= now + MAX_TOKEN_LIFETIME:
        raise Invalid(
            "invalid_expiry", "give a number of days (30d) or a date (2027-12-31) within five years", field="expires"
        )
    return expires_at


async def add_user(
    conn: asyncpg.Connection,
    *,
    email: str,
    role: str,
    name: str = "",
    language: str = "nb",
    label: str = "cli",
    expires_at: datetime | None = None,
) -> NewUser:
    """Create a user and their first bearer token (shown once), which lasts until `expires_at` (default a year).
    Raises Invalid, Conflict (user_exists)."""
    email = email.strip().lower()
    if role not in ROLES:
        raise Invalid("invalid_role", f"role must be one of {', '.join(ROLES)}", field="role")
    if "@" not in email or len(email) > 254:
        raise Invalid("invalid_email", "not an e-mail address", field="email")
    async with conn.transaction():
        user_id = await queries.insert_user(conn, email, name, role, language)
        if user_id is None:
            raise Conflict("user_exists", f"{email} already has an account")
        token = new_token()
        await queries.insert_token(conn, user_id, hash_token(token), label, expires_at, TOKEN_LIFETIME)
    return NewUser(user_id=user_id, email=email, role=role, token=token)


async def issue_token(
    conn: asyncpg.Connection, user_id: UUID, *, label: str = "cli", expires_at: datetime | None = None
) -> str:
    """A new bearer token (shown once) lasting until `expires_at` (default a year)."""
    token = new_token()
    await queries.insert_token(conn, user_id, hash_token(token), label, expires_at, TOKEN_LIFETIME)
    return token


async def authenticate(conn: asyncpg.Connection, authorization: str | None, *, now: datetime) -> Principal:
    """The principal of an `Authorization: Bearer …` header, checked on every use.
    Raises Unauthorized (unauthorized, invalid_token, token_expired, account_disabled)."""
    if not authorization:
        raise Unauthorized("unauthorized", "send an Authorization: Bearer token")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("unauthorized", "send an Authorization: Bearer token")
    owner = await queries.principal_by_token(conn, hash_token(token.strip()))
    if owner is None:
        raise Unauthorized("invalid_token", "the token is unknown or revoked")
    if owner.disabled_at is not None:
        raise Unauthorized("account_disabled", "this account is deactivated")
    if owner.expires_at <= now:
        raise Unauthorized("token_expired", "the token has expired; ask an administrator for a new one")
    return Principal(user_id=owner.id, email=owner.email, role=owner.role, language=owner.language)


def require_role(principal: Principal, *roles: str) -> None:
    """Raises Forbidden unless the principal has one of the roles (admins pass every check)."""
    if principal.role != "admin" and principal.role not in roles:
        raise Forbidden("forbidden", f"this needs the role {' or '.join(roles)}")


async def require_event_scope(conn: asyncpg.Connection, principal: Principal, event_id: UUID, *roles: str) -> None:
    """Raises Forbidden unless the principal has a role and may act on this event."""
    require_role(principal, *roles)
    if principal.role == "admin":
        return
    if not await queries.has_event_scope(conn, principal.user_id, event_id):
        raise Forbidden("not_in_scope", "you may not act on this event")


async def require_series_scope(conn: asyncpg.Connection, principal: Principal, series_id: UUID, *roles: str) -> None:
    """Raises Forbidden unless the principal has a role and may act on this series (add dates to it)."""
    require_role(principal, *roles)
    if principal.role == "admin":
        return
    if not await queries.has_series_scope(conn, principal.user_id, series_id):
        raise Forbidden("not_series_organiser", "you are not an organiser of this series", field="series")
