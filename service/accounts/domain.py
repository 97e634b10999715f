"""Creating users and tokens, authenticating tokens, and checking event and series scopes."""

from __future__ import annotations

import hashlib
import secrets
from uuid import UUID

import asyncpg

from ..errors import Conflict, Forbidden, Invalid, Unauthorized
from . import queries
from .schemas import ROLES, NewUser, Principal

TOKEN_PREFIX = "mp_"


def hash_token(token: str) -> bytes:
    """Tokens are 256-bit random strings, so one fast hash is enough (no password stretching needed)."""
    return hashlib.sha256(token.encode()).digest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def add_user(
    conn: asyncpg.Connection, *, email: str, role: str, name: str = "", language: str = "nb", label: str = "cli"
) -> NewUser:
    """Create a user and their first bearer token (shown once). Raises Invalid, Conflict (user_exists)."""
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
        await queries.insert_token(conn, user_id, hash_token(token), label)
    return NewUser(user_id=user_id, email=email, role=role, token=token)


async def issue_token(conn: asyncpg.Connection, user_id: UUID, *, label: str = "cli") -> str:
    token = new_token()
    await queries.insert_token(conn, user_id, hash_token(token), label)
    return token


async def authenticate(conn: asyncpg.Connection, authorization: str | None) -> Principal:
    """The principal of an `Authorization: Bearer …` header. Raises Unauthorized."""
    if not authorization:
        raise Unauthorized("unauthorized", "send an Authorization: Bearer token")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("unauthorized", "send an Authorization: Bearer token")
    row = await queries.principal_by_token(conn, hash_token(token.strip()))
    if row is None:
        raise Unauthorized("invalid_token", "the token is unknown, expired or revoked")
    return Principal(user_id=row["id"], email=row["email"], role=row["role"], language=row["language"])


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
