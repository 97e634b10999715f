"""Passwords (argon2), signing in with a lockout kept in PostgreSQL, and links to set a password.

A link is `<id>.<tag>`: the id of a console_password_links row and an HMAC of it keyed with SECRET_KEY,
so the tables and the job payloads hold nothing that opens an account, and a forged link costs no query.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from uuid import UUID

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .. import db, jobs
from ..accounts.schemas import Principal
from ..errors import Forbidden, Invalid, NotFound, Unauthorized
from . import queries
from .schemas import PasswordLink

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10
MAX_PASSWORD = 200
RESET_LIFETIME = timedelta(hours=1)
INVITE_LIFETIME = timedelta(days=7)
RESET_QUIET = timedelta(minutes=5)
CONSOLE_ROLES = ("admin", "organiser", "jury")
MAIL_PASSWORD_LINK = "console.password_link"


@cache
def hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against for unknown addresses, so that a miss takes as long as a wrong password."""
    return hasher().hash("not a password of anyone")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify(hashed: str, password: str) -> bool:
    try:
        return hasher().verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> None:
    """Raises Invalid (password_too_short, password_too_long)."""
    if len(password) < MIN_PASSWORD:
        raise Invalid("password_too_short", f"use at least {MIN_PASSWORD} characters", field="password")
    if len(password) > MAX_PASSWORD:
        raise Invalid("password_too_long", f"use at most {MAX_PASSWORD} characters", field="password")


async def sign_in(pool: asyncpg.Pool, email: str, password: str, *, client: str, now: datetime) -> Principal:
    """The user whose password this is. Raises Forbidden (account_locked) after MAX_FAILURES wrong
    passwords from this client address within FAILURE_WINDOW, else Unauthorized (sign_in_failed) for any
    wrong combination. Failures lock out (account, client address) only: a stranger cannot lock the real
    user out from elsewhere.

    Every attempt is counted as a failure before the password is checked (under an advisory lock on the
    account and address, so parallel guesses cannot slip past the limit) and forgotten when it was right;
    this also covers addresses with no account, which therefore look the same. argon2 (64 MiB, tens of
    milliseconds) runs in a thread while no pooled connection is held.
    """
    address = normalise_email(email)[:254]
    async with db.borrowed(pool) as conn, conn.transaction():
        await queries.lock_attempts(conn, address, client)
        if await queries.recent_failures(conn, address, client, now - FAILURE_WINDOW) >= MAX_FAILURES:
            raise Forbidden("account_locked", "too many wrong passwords; try again in 15 minutes")
        await queries.record_failure(conn, address, client, now)
        row = await queries.user_for_sign_in(conn, address)
    hashed = row.hash if row is not None and row.hash and row.role in CONSOLE_ROLES else None
    matches = await asyncio.to_thread(verify, hashed or _dummy_hash(), password[:MAX_PASSWORD])
    if row is None or hashed is None or not matches:
        raise Unauthorized("sign_in_failed", "the e-mail address or the password is wrong")
    async with db.borrowed(pool) as conn:
        await queries.clear_failures_from(conn, address, client)
    return Principal(user_id=row.id, email=row.email, role=row.role, language=row.language)


def link_code(secret: bytes, link_id: UUID) -> str:
    tag = hmac.new(secret, b"password-link:" + link_id.bytes, hashlib.sha256).digest()[:18]
    return f"{link_id.hex}.{base64.urlsafe_b64encode(tag).decode()}"


def parse_link_code(keys: Sequence[bytes], code: str) -> UUID | None:
    """The link id of a code signed with one of `keys`, else None."""
    ident, _, _tag = code.partition(".")
    try:
        link_id = UUID(hex=ident)
    except ValueError:
        return None
    return link_id if any(hmac.compare_digest(link_code(key, link_id), code) for key in keys) else None


async def create_link(conn: asyncpg.Connection, user_id: UUID, purpose: str, *, actor: str, now: datetime) -> UUID:
    """A password link and the job that mails it, in one transaction."""
    lifetime = INVITE_LIFETIME if purpose == "invite" else RESET_LIFETIME
    async with conn.transaction():
        link_id = await queries.insert_link(conn, user_id, purpose, actor, now, now + lifetime)
        await jobs.enqueue(
            conn, MAIL_PASSWORD_LINK, {"link_id": str(link_id)}, dedupe_key=f"{MAIL_PASSWORD_LINK}:{link_id}"
        )
    return link_id


async def request_reset(conn: asyncpg.Connection, email: str, *, now: datetime) -> None:
    """Mail a reset link if the address belongs to a console user. Says nothing either way; at most one
    link per RESET_QUIET, however often it is asked for."""
    row = await queries.user_for_sign_in(conn, normalise_email(email)[:254])
    if row is None or row.role not in CONSOLE_ROLES:
        return
    if await queries.has_recent_link(conn, row.id, "reset", now - RESET_QUIET):
        return
    await create_link(conn, row.id, "reset", actor=f"user:{row.email}", now=now)


async def open_link(conn: asyncpg.Connection, keys: Sequence[bytes], code: str, *, now: datetime) -> PasswordLink:
    """The link row behind a code that is genuine, unused and unexpired. Raises NotFound (password_link_invalid)."""
    link_id = parse_link_code(keys, code)
    row = await queries.link_by_id(conn, link_id) if link_id else None
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise NotFound("password_link_invalid", "the link is wrong, used or expired; ask for a new one")
    return row


async def set_password_by_link(
    pool: asyncpg.Pool, keys: Sequence[bytes], code: str, password: str, *, now: datetime
) -> Principal:
    """Set the password of the link's user; every link of theirs is used up and every session ends.
    Raises NotFound (password_link_invalid), Invalid. A repeat finds the link used: one effect.

    The link is checked before argon2 hashes the password (a wrong link costs a query, not 64 MiB), the hash is
    made in a thread while no pooled connection is held, and the link is checked again under a lock to use it."""
    check_password_rules(password)
    async with db.borrowed(pool) as conn:
        await open_link(conn, keys, code, now=now)
    hashed = await asyncio.to_thread(hash_password, password)
    link_id = parse_link_code(keys, code)
    async with db.borrowed(pool) as conn, conn.transaction():
        row = await queries.link_for_update(conn, link_id) if link_id else None
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise NotFound("password_link_invalid", "the link is wrong, used or expired; ask for a new one")
        await queries.set_password(conn, row.user_id, hashed, now)
        await queries.use_links_of(conn, row.user_id, now)
        await queries.delete_sessions_of(conn, row.user_id)
        await queries.clear_failures(conn, row.email)
    return Principal(user_id=row.user_id, email=row.email, role=row.role, language=row.language)


async def set_password_of(conn: asyncpg.Connection, email: str, password: str, *, now: datetime) -> None:
    """Set a user's console password directly (the CLI's bootstrap of the first admin); sessions end.
    Raises NotFound (user_not_found), Invalid."""
    check_password_rules(password)
    row = await queries.user_for_sign_in(conn, normalise_email(email))
    if row is None or row.role not in CONSOLE_ROLES:
        raise NotFound("user_not_found", f"no console user {email!r}")
    hashed = await asyncio.to_thread(hash_password, password)
    async with conn.transaction():
        await queries.set_password(conn, row.id, hashed, now)
        await queries.use_links_of(conn, row.id, now)
        await queries.delete_sessions_of(conn, row.id)
        await queries.clear_failures(conn, row.email)
