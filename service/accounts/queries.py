from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from .schemas import TokenOwner, User

INSERT_USER = """
INSERT INTO users (email, name, role, language) VALUES ($1, $2, $3, $4)
ON CONFLICT (email) DO NOTHING
RETURNING id
"""
# Without an expiry chosen, a token lasts $5 from its creation.
INSERT_TOKEN = """
INSERT INTO api_tokens (user_id, token_hash, label, expires_at) VALUES ($1, $2, $3, coalesce($4, now() + $5::interval))
RETURNING id
"""
# The token's user with what decides whether it still works (expiry and deactivation are checked by the caller).
PRINCIPAL_BY_TOKEN = """
SELECT u.id, u.email, u.role, u.language, u.disabled_at, t.expires_at
  FROM api_tokens t JOIN users u ON u.id = t.user_id
 WHERE t.token_hash = $1 AND t.revoked_at IS NULL
"""
DISABLE_USER = "UPDATE users SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL RETURNING id"
REVOKE_TOKENS_OF = "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL"
HAS_EVENT_SCOPE = "SELECT EXISTS (SELECT 1 FROM user_event_scopes WHERE user_id = $1 AND event_id = $2)"
GRANT_EVENT_SCOPE = "INSERT INTO user_event_scopes (user_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
HAS_SERIES_SCOPE = "SELECT EXISTS (SELECT 1 FROM user_series_scopes WHERE user_id = $1 AND series_id = $2)"
GRANT_SERIES_SCOPE = "INSERT INTO user_series_scopes (user_id, series_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
USER_BY_EMAIL = "SELECT id, email, name, role, language, disabled_at FROM users WHERE email = $1"
# An invited user who never set a password takes the role, name (when given) and language of a new invitation.
REINVITE_USER = "UPDATE users SET role = $2, name = coalesce(nullif($3, ''), name), language = $4 WHERE id = $1"


async def insert_user(conn: asyncpg.Connection, email: str, name: str, role: str, language: str) -> UUID | None:
    result: UUID | None = await conn.fetchval(INSERT_USER, email, name, role, language)
    return result


async def insert_token(
    conn: asyncpg.Connection,
    user_id: UUID,
    token_hash: bytes,
    label: str,
    expires_at: datetime | None,
    lifetime: timedelta,
) -> UUID:
    result: UUID = await conn.fetchval(INSERT_TOKEN, user_id, token_hash, label, expires_at, lifetime)
    return result


async def principal_by_token(conn: asyncpg.Connection, token_hash: bytes) -> TokenOwner | None:
    row = await conn.fetchrow(PRINCIPAL_BY_TOKEN, token_hash)
    return TokenOwner(**row) if row else None


async def has_event_scope(conn: asyncpg.Connection, user_id: UUID, event_id: UUID) -> bool:
    return bool(await conn.fetchval(HAS_EVENT_SCOPE, user_id, event_id))


async def grant_event_scope(conn: asyncpg.Connection, user_id: UUID, event_id: UUID) -> None:
    await conn.execute(GRANT_EVENT_SCOPE, user_id, event_id)


async def has_series_scope(conn: asyncpg.Connection, user_id: UUID, series_id: UUID) -> bool:
    return bool(await conn.fetchval(HAS_SERIES_SCOPE, user_id, series_id))


async def grant_series_scope(conn: asyncpg.Connection, user_id: UUID, series_id: UUID) -> None:
    await conn.execute(GRANT_SERIES_SCOPE, user_id, series_id)


async def user_by_email(conn: asyncpg.Connection, email: str) -> User | None:
    row = await conn.fetchrow(USER_BY_EMAIL, email)
    return User(**row) if row else None


async def reinvite_user(conn: asyncpg.Connection, user_id: UUID, role: str, name: str, language: str) -> None:
    await conn.execute(REINVITE_USER, user_id, role, name, language)


async def disable_user(conn: asyncpg.Connection, user_id: UUID, now: datetime) -> bool:
    """False when the user was disabled before."""
    return await conn.fetchval(DISABLE_USER, user_id, now) is not None


async def revoke_tokens_of(conn: asyncpg.Connection, user_id: UUID, now: datetime) -> None:
    await conn.execute(REVOKE_TOKENS_OF, user_id, now)
