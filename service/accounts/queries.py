from __future__ import annotations

from uuid import UUID

import asyncpg

INSERT_USER = """
INSERT INTO users (email, name, role, language) VALUES ($1, $2, $3, $4)
ON CONFLICT (email) DO NOTHING
RETURNING id
"""
INSERT_TOKEN = "INSERT INTO api_tokens (user_id, token_hash, label, expires_at) VALUES ($1, $2, $3, $4) RETURNING id"
PRINCIPAL_BY_TOKEN = """
SELECT u.id, u.email, u.role, u.language
  FROM api_tokens t JOIN users u ON u.id = t.user_id
 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
"""
HAS_EVENT_SCOPE = "SELECT EXISTS (SELECT 1 FROM user_event_scopes WHERE user_id = $1 AND event_id = $2)"
GRANT_EVENT_SCOPE = "INSERT INTO user_event_scopes (user_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
HAS_SERIES_SCOPE = "SELECT EXISTS (SELECT 1 FROM user_series_scopes WHERE user_id = $1 AND series_id = $2)"
GRANT_SERIES_SCOPE = "INSERT INTO user_series_scopes (user_id, series_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
USER_BY_EMAIL = "SELECT id, email, name, role, language FROM users WHERE email = $1"


async def insert_user(conn: asyncpg.Connection, email: str, name: str, role: str, language: str) -> UUID | None:
    result: UUID | None = await conn.fetchval(INSERT_USER, email, name, role, language)
    return result


async def insert_token(conn: asyncpg.Connection, user_id: UUID, token_hash: bytes, label: str) -> UUID:
    result: UUID = await conn.fetchval(INSERT_TOKEN, user_id, token_hash, label, None)
    return result


async def principal_by_token(conn: asyncpg.Connection, token_hash: bytes) -> asyncpg.Record | None:
    return await conn.fetchrow(PRINCIPAL_BY_TOKEN, token_hash)


async def has_event_scope(conn: asyncpg.Connection, user_id: UUID, event_id: UUID) -> bool:
    return bool(await conn.fetchval(HAS_EVENT_SCOPE, user_id, event_id))


async def grant_event_scope(conn: asyncpg.Connection, user_id: UUID, event_id: UUID) -> None:
    await conn.execute(GRANT_EVENT_SCOPE, user_id, event_id)


async def has_series_scope(conn: asyncpg.Connection, user_id: UUID, series_id: UUID) -> bool:
    return bool(await conn.fetchval(HAS_SERIES_SCOPE, user_id, series_id))


async def grant_series_scope(conn: asyncpg.Connection, user_id: UUID, series_id: UUID) -> None:
    await conn.execute(GRANT_SERIES_SCOPE, user_id, series_id)


async def user_by_email(conn: asyncpg.Connection, email: str) -> asyncpg.Record | None:
    return await conn.fetchrow(USER_BY_EMAIL, email)
