"""SQL of the console's own tables: passwords, sessions, sign-in failures and password links; the user list."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from .schemas import ConsoleUser, PasswordLink, SessionUser, SignInUser

# A deactivated user is no one here: they cannot sign in nor ask for a reset link.
USER_FOR_SIGN_IN = """
SELECT u.id, u.email, u.role, u.language, p.hash
  FROM users u LEFT JOIN console_passwords p ON p.user_id = u.id
 WHERE u.email = $1 AND u.disabled_at IS NULL
"""
SET_PASSWORD = """
INSERT INTO console_passwords (user_id, hash, set_at) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at
"""
LOCK_ATTEMPTS = "SELECT pg_advisory_xact_lock(hashtextextended('console.sign_in:' || $1 || ' ' || $2, 0))"
RECENT_FAILURES = "SELECT count(*) FROM console_sign_in_failures WHERE email = $1 AND client = $2 AND at > $3"
RECORD_FAILURE = "INSERT INTO console_sign_in_failures (email, client, at) VALUES ($1, $2, $3)"
CLEAR_FAILURES_FROM = "DELETE FROM console_sign_in_failures WHERE email = $1 AND client = $2"
CLEAR_FAILURES = "DELETE FROM console_sign_in_failures WHERE email = $1"

INSERT_SESSION = "INSERT INTO console_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
PRINCIPAL_BY_SESSION = """
SELECT u.id, u.email, u.role, u.language
  FROM console_sessions s JOIN users u ON u.id = s.user_id
 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL
"""
DELETE_SESSION = "DELETE FROM console_sessions WHERE token_hash = $1"
DELETE_SESSIONS_OF = "DELETE FROM console_sessions WHERE user_id = $1"
DELETE_EXPIRED_SESSIONS = "DELETE FROM console_sessions WHERE expires_at < $1"

INSERT_LINK = """
INSERT INTO console_password_links (user_id, purpose, created_by, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5)
RETURNING id
"""
RECENT_LINK = """
SELECT EXISTS (SELECT 1 FROM console_password_links
                WHERE user_id = $1 AND purpose = $2 AND created_at > $3 AND used_at IS NULL)
"""
LINK_FOR_UPDATE = """
SELECT l.id, l.user_id, l.purpose, l.expires_at, l.used_at, u.email, u.name, u.role, u.language
  FROM console_password_links l JOIN users u ON u.id = l.user_id
 WHERE l.id = $1 AND u.disabled_at IS NULL
 FOR UPDATE OF l
"""
LINK_BY_ID = """
SELECT l.id, l.user_id, l.purpose, l.expires_at, l.used_at, u.email, u.name, u.role, u.language
  FROM console_password_links l JOIN users u ON u.id = l.user_id
 WHERE l.id = $1 AND u.disabled_at IS NULL
"""
USE_LINKS_OF = "UPDATE console_password_links SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL"

CONSOLE_USERS = """
SELECT u.id, u.email, u.name, u.role, u.language, u.disabled_at,
       EXISTS (SELECT 1 FROM console_passwords p WHERE p.user_id = u.id) AS has_password,
       (SELECT max(l.created_at) FROM console_password_links l WHERE l.user_id = u.id AND l.purpose = 'invite')
           AS invited_at,
       coalesce((SELECT array_agg(e.slug ORDER BY e.slug) FROM user_event_scopes s JOIN events e ON e.id = s.event_id
                  WHERE s.user_id = u.id), '{}') AS events
  FROM users u
 WHERE u.role <> 'door'
 ORDER BY u.role, u.email
"""
HAS_PASSWORD = "SELECT EXISTS (SELECT 1 FROM console_passwords WHERE user_id = $1)"


async def user_for_sign_in(conn: asyncpg.Connection, email: str) -> SignInUser | None:
    row = await conn.fetchrow(USER_FOR_SIGN_IN, email)
    return SignInUser(**row) if row else None


async def set_password(conn: asyncpg.Connection, user_id: UUID, hashed: str, now: datetime) -> None:
    await conn.execute(SET_PASSWORD, user_id, hashed, now)


async def lock_attempts(conn: asyncpg.Connection, email: str, client: str) -> None:
    await conn.execute(LOCK_ATTEMPTS, email, client)


async def recent_failures(conn: asyncpg.Connection, email: str, client: str, since: datetime) -> int:
    return int(await conn.fetchval(RECENT_FAILURES, email, client, since))


async def record_failure(conn: asyncpg.Connection, email: str, client: str, now: datetime) -> None:
    await conn.execute(RECORD_FAILURE, email, client, now)


async def clear_failures_from(conn: asyncpg.Connection, email: str, client: str) -> None:
    await conn.execute(CLEAR_FAILURES_FROM, email, client)


async def clear_failures(conn: asyncpg.Connection, email: str) -> None:
    await conn.execute(CLEAR_FAILURES, email)


async def insert_session(
    conn: asyncpg.Connection, token_hash: bytes, user_id: UUID, now: datetime, expires_at: datetime
) -> None:
    await conn.execute(INSERT_SESSION, token_hash, user_id, now, expires_at)


async def principal_by_session(conn: asyncpg.Connection, token_hash: bytes, now: datetime) -> SessionUser | None:
    row = await conn.fetchrow(PRINCIPAL_BY_SESSION, token_hash, now)
    return SessionUser(**row) if row else None


async def delete_session(conn: asyncpg.Connection, token_hash: bytes) -> None:
    await conn.execute(DELETE_SESSION, token_hash)


async def delete_sessions_of(conn: asyncpg.Connection, user_id: UUID) -> None:
    await conn.execute(DELETE_SESSIONS_OF, user_id)


async def insert_link(
    conn: asyncpg.Connection, user_id: UUID, purpose: str, created_by: str, now: datetime, expires_at: datetime
) -> UUID:
    result: UUID = await conn.fetchval(INSERT_LINK, user_id, purpose, created_by, now, expires_at)
    return result


async def has_recent_link(conn: asyncpg.Connection, user_id: UUID, purpose: str, since: datetime) -> bool:
    return bool(await conn.fetchval(RECENT_LINK, user_id, purpose, since))


async def link_for_update(conn: asyncpg.Connection, link_id: UUID) -> PasswordLink | None:
    row = await conn.fetchrow(LINK_FOR_UPDATE, link_id)
    return PasswordLink(**row) if row else None


async def link_by_id(conn: asyncpg.Connection, link_id: UUID) -> PasswordLink | None:
    row = await conn.fetchrow(LINK_BY_ID, link_id)
    return PasswordLink(**row) if row else None


async def use_links_of(conn: asyncpg.Connection, user_id: UUID, now: datetime) -> None:
    await conn.execute(USE_LINKS_OF, user_id, now)


async def console_users(conn: asyncpg.Connection) -> list[ConsoleUser]:
    """Everyone who may use the console (door devices are paired elsewhere)."""
    return [ConsoleUser(**row) for row in await conn.fetch(CONSOLE_USERS)]


async def has_password(conn: asyncpg.Connection, user_id: UUID) -> bool:
    return bool(await conn.fetchval(HAS_PASSWORD, user_id))
