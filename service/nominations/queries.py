"""SQL of prizes, calls, nominations, conflicts and scores: named statements and tiny typed functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from .schemas import Call, Criterion, Nomination, Prize

_CALL = """
c.id, c.prize_id, c.year, c.event_id, c.opens_at, c.closes_at, c.scoring_closes_at, c.notify_nominees,
c.scoring_locked_at, c.published_at
"""
# Each nomination with the size of its nominee's group and its place in it (withdrawn ones do not count).
_NOMINATION = """
n.id, n.call_id, n.status, n.nominee_kind, n.nominee_name, n.nominee_organisation, n.nominee_email, n.nominee_key,
n.title, n.justification, n.links, n.nominator_name, n.nominator_email, n.nominator_relation, n.language,
n.decision_reason, n.created_at, n.withdrawn_at,
(SELECT count(*) FROM nominations g
  WHERE g.call_id = n.call_id AND g.nominee_key = n.nominee_key AND g.status <> 'withdrawn') AS group_size,
(SELECT count(*) FROM nominations g
  WHERE g.call_id = n.call_id AND g.nominee_key = n.nominee_key AND g.status <> 'withdrawn'
    AND g.number <= n.number) AS group_position
"""

INSERT_PRIZE = """
INSERT INTO prizes (slug, name, description, created_by) VALUES ($1, $2, $3, $4)
ON CONFLICT (slug) DO NOTHING
RETURNING id, slug, name, description
"""
GRANT_PRIZE = "INSERT INTO prize_organisers (prize_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
IS_PRIZE_ORGANISER = "SELECT EXISTS (SELECT 1 FROM prize_organisers WHERE prize_id = $1 AND user_id = $2)"
PRIZE_BY_SLUG = "SELECT id, slug, name, description FROM prizes WHERE slug = $1"
PRIZE_BY_ID = "SELECT id, slug, name, description FROM prizes WHERE id = $1"
# The prizes a user runs (every prize for NULL: an admin), by slug.
PRIZES_OF = """
SELECT p.id, p.slug, p.name, p.description FROM prizes p
 WHERE $1::uuid IS NULL OR EXISTS (SELECT 1 FROM prize_organisers o WHERE o.prize_id = p.id AND o.user_id = $1)
 ORDER BY p.slug
"""

INSERT_CALL = f"""
INSERT INTO prize_calls AS c (prize_id, year, event_id, opens_at, closes_at, scoring_closes_at, notify_nominees)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (prize_id, year) DO NOTHING
RETURNING {_CALL}
"""  # noqa: S608 - composed from this module's SQL constants
INSERT_CRITERION = """
INSERT INTO prize_criteria (call_id, position, name, description, weight) VALUES ($1, $2, $3, $4, $5)
"""
CALL_BY_ID = f"SELECT {_CALL} FROM prize_calls c WHERE c.id = $1"  # noqa: S608 - composed from this module's SQL constants
CALL_FOR_UPDATE = f"SELECT {_CALL} FROM prize_calls c WHERE c.id = $1 FOR UPDATE"  # noqa: S608 - composed from this module's SQL constants
CALLS_OF_PRIZE = f"SELECT {_CALL} FROM prize_calls c WHERE c.prize_id = $1 ORDER BY c.opens_at"  # noqa: S608 - composed from this module's SQL constants
CRITERIA = """
SELECT id, position, name, description, weight::float8 AS weight FROM prize_criteria WHERE call_id = $1
 ORDER BY position
"""
LOCK_SCORING = "UPDATE prize_calls SET scoring_locked_at = $2 WHERE id = $1 AND scoring_locked_at IS NULL"
PUBLISH = "UPDATE prize_calls SET published_at = $2 WHERE id = $1"

CLEAR_JURY = "DELETE FROM prize_jurors WHERE call_id = $1"
ADD_JUROR = "INSERT INTO prize_jurors (call_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
USERS_BY_EMAIL = "SELECT id, email, role FROM users WHERE email = ANY($1::text[])"
JURY = """
SELECT u.id, u.email, u.name, u.language FROM prize_jurors j JOIN users u ON u.id = j.user_id
 WHERE j.call_id = $1 ORDER BY u.email
"""
IS_JUROR = "SELECT EXISTS (SELECT 1 FROM prize_jurors WHERE call_id = $1 AND user_id = $2)"
CALLS_OF_JUROR = f"""
SELECT {_CALL}, p.slug, p.name FROM prize_jurors j JOIN prize_calls c ON c.id = j.call_id
  JOIN prizes p ON p.id = c.prize_id
 WHERE j.user_id = $1 ORDER BY c.opens_at DESC
"""  # noqa: S608 - composed from this module's SQL constants

INSERT_NOMINATION = """
INSERT INTO nominations (call_id, nominee_kind, nominee_name, nominee_organisation, nominee_email, nominee_key,
                         title, justification, links, nominator_name, nominator_email, nominator_relation,
                         language, secret_hash, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
RETURNING id
"""
NOMINATION_BY_ID = f"SELECT {_NOMINATION} FROM nominations n WHERE n.id = $1"  # noqa: S608 - composed from this module's SQL constants
NOMINATION_BY_SECRET = f"SELECT {_NOMINATION} FROM nominations n WHERE n.secret_hash = $1"  # noqa: S608 - composed from this module's SQL constants
NOMINATION_FOR_UPDATE = "SELECT id, call_id, status FROM nominations WHERE id = $1 FOR UPDATE"
NOMINATIONS_OF_CALL = f"""
SELECT {_NOMINATION} FROM nominations n WHERE n.call_id = $1
 ORDER BY n.status = 'withdrawn', (SELECT min(f.number) FROM nominations f
                                    WHERE f.call_id = n.call_id AND f.nominee_key = n.nominee_key), n.number
"""  # noqa: S608 - composed from this module's SQL constants
GROUP_OF = "SELECT count(*) FROM nominations WHERE call_id = $1 AND nominee_key = $2 AND status <> 'withdrawn'"
SET_STATUS = """
UPDATE nominations SET status = $2, decision_reason = $3, updated_at = $4,
       withdrawn_at = CASE WHEN $2 = 'withdrawn' THEN $4::timestamptz END
 WHERE id = $1
"""
HISTORY = "INSERT INTO nomination_history (nomination_id, at, actor, action, data) VALUES ($1, $2, $3, $4, $5)"

DECLARE_CONFLICT = """
INSERT INTO nomination_conflicts (nomination_id, user_id, reason, declared_at) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING
"""
HAS_CONFLICT = "SELECT EXISTS (SELECT 1 FROM nomination_conflicts WHERE nomination_id = $1 AND user_id = $2)"
RECUSALS = "SELECT count(*) FROM nomination_conflicts WHERE nomination_id = $1"
DELETE_SCORES_OF = "DELETE FROM nomination_scores WHERE nomination_id = $1 AND user_id = $2"
UPSERT_SCORE = """
INSERT INTO nomination_scores (nomination_id, user_id, criterion_id, score, comment, scored_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (nomination_id, user_id, criterion_id)
DO UPDATE SET score = EXCLUDED.score, comment = EXCLUDED.comment, scored_at = EXCLUDED.scored_at
"""
SCORES_OF_NOMINATION = """
SELECT s.user_id, u.email, s.criterion_id, s.score, s.comment, s.scored_at
  FROM nomination_scores s JOIN users u ON u.id = s.user_id JOIN prize_criteria c ON c.id = s.criterion_id
 WHERE s.nomination_id = $1 ORDER BY u.email, c.position
"""
# Every score of a call, for results and the CSV export.
SCORES_OF_CALL = """
SELECT s.nomination_id, s.user_id, u.email, s.criterion_id, s.score, s.comment, s.scored_at
  FROM nomination_scores s JOIN nominations n ON n.id = s.nomination_id JOIN users u ON u.id = s.user_id
  JOIN prize_criteria c ON c.id = s.criterion_id
 WHERE n.call_id = $1 ORDER BY n.number, u.email, c.position
"""
CONFLICTS_OF_CALL = """
SELECT k.nomination_id, k.user_id FROM nomination_conflicts k JOIN nominations n ON n.id = k.nomination_id
 WHERE n.call_id = $1
"""
# A juror's standing on each nomination of a call: conflicted, and how many criteria they have scored.
JUROR_STANDING = """
SELECT n.id,
       EXISTS (SELECT 1 FROM nomination_conflicts k WHERE k.nomination_id = n.id AND k.user_id = $2) AS conflict,
       (SELECT count(*) FROM nomination_scores s WHERE s.nomination_id = n.id AND s.user_id = $2) AS scored
  FROM nominations n WHERE n.call_id = $1
"""
WINNERS = """
SELECT c.year, n.nominee_name, n.nominee_organisation, n.title
  FROM prize_calls c JOIN nominations n ON n.call_id = c.id AND n.status = 'winner'
 WHERE c.prize_id = $1 AND c.published_at IS NOT NULL ORDER BY c.year DESC
"""
# Jurors of a call who have not yet scored (or recused themselves from) every open nomination.
JURORS_BEHIND = """
SELECT u.id, u.email, u.name, u.language,
       (SELECT count(*) FROM nominations n
         WHERE n.call_id = j.call_id AND n.status <> 'withdrawn'
           AND NOT EXISTS (SELECT 1 FROM nomination_conflicts k WHERE k.nomination_id = n.id AND k.user_id = u.id)
           AND NOT EXISTS (SELECT 1 FROM nomination_scores s WHERE s.nomination_id = n.id AND s.user_id = u.id))
       AS missing
  FROM prize_jurors j JOIN users u ON u.id = j.user_id WHERE j.call_id = $1 ORDER BY u.email
"""


def to_call(row: asyncpg.Record) -> Call:
    return Call(**{name: row[name] for name in Call.__struct_fields__})


def to_nomination(row: asyncpg.Record) -> Nomination:
    return Nomination(**dict(row))


async def insert_prize(
    conn: asyncpg.Connection, slug: str, name: dict[str, str], description: dict[str, str], user_id: UUID
) -> Prize | None:
    row = await conn.fetchrow(INSERT_PRIZE, slug, name, description, user_id)
    return Prize(**dict(row)) if row else None


async def grant_prize(conn: asyncpg.Connection, prize_id: UUID, user_id: UUID) -> None:
    await conn.execute(GRANT_PRIZE, prize_id, user_id)


async def is_prize_organiser(conn: asyncpg.Connection, prize_id: UUID, user_id: UUID) -> bool:
    return bool(await conn.fetchval(IS_PRIZE_ORGANISER, prize_id, user_id))


async def prize_by_slug(conn: asyncpg.Connection, slug: str) -> Prize | None:
    row = await conn.fetchrow(PRIZE_BY_SLUG, slug)
    return Prize(**dict(row)) if row else None


async def prizes_of(conn: asyncpg.Connection, user_id: UUID | None) -> list[Prize]:
    return [Prize(**dict(row)) for row in await conn.fetch(PRIZES_OF, user_id)]


async def prize_by_id(conn: asyncpg.Connection, prize_id: UUID) -> Prize | None:
    row = await conn.fetchrow(PRIZE_BY_ID, prize_id)
    return Prize(**dict(row)) if row else None


async def insert_call(conn: asyncpg.Connection, prize_id: UUID, values: dict[str, Any]) -> Call | None:
    row = await conn.fetchrow(
        INSERT_CALL,
        prize_id,
        values["year"],
        values["event_id"],
        values["opens_at"],
        values["closes_at"],
        values["scoring_closes_at"],
        values["notify_nominees"],
    )
    return to_call(row) if row else None


async def insert_criterion(
    conn: asyncpg.Connection,
    call_id: UUID,
    position: int,
    name: dict[str, str],
    description: dict[str, str],
    weight: float,
) -> None:
    await conn.execute(INSERT_CRITERION, call_id, position, name, description, weight)


async def call_by_id(conn: asyncpg.Connection, call_id: UUID, *, for_update: bool = False) -> Call | None:
    row = await conn.fetchrow(CALL_FOR_UPDATE if for_update else CALL_BY_ID, call_id)
    return to_call(row) if row else None


async def calls_of_prize(conn: asyncpg.Connection, prize_id: UUID) -> list[Call]:
    return [to_call(r) for r in await conn.fetch(CALLS_OF_PRIZE, prize_id)]


async def criteria(conn: asyncpg.Connection, call_id: UUID) -> list[Criterion]:
    return [Criterion(**dict(r)) for r in await conn.fetch(CRITERIA, call_id)]


async def lock_scoring(conn: asyncpg.Connection, call_id: UUID, now: datetime) -> None:
    await conn.execute(LOCK_SCORING, call_id, now)


async def publish(conn: asyncpg.Connection, call_id: UUID, now: datetime) -> None:
    await conn.execute(PUBLISH, call_id, now)


async def users_by_email(conn: asyncpg.Connection, emails: list[str]) -> list[asyncpg.Record]:
    return list(await conn.fetch(USERS_BY_EMAIL, emails))


async def set_jury(conn: asyncpg.Connection, call_id: UUID, user_ids: list[UUID]) -> None:
    await conn.execute(CLEAR_JURY, call_id)
    await conn.executemany(ADD_JUROR, [(call_id, user_id) for user_id in user_ids])


async def jury(conn: asyncpg.Connection, call_id: UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(JURY, call_id))


async def is_juror(conn: asyncpg.Connection, call_id: UUID, user_id: UUID) -> bool:
    return bool(await conn.fetchval(IS_JUROR, call_id, user_id))


async def calls_of_juror(conn: asyncpg.Connection, user_id: UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(CALLS_OF_JUROR, user_id))


async def insert_nomination(conn: asyncpg.Connection, call_id: UUID, values: dict[str, Any], now: datetime) -> UUID:
    result: UUID = await conn.fetchval(
        INSERT_NOMINATION,
        call_id,
        values["nominee_kind"],
        values["nominee_name"],
        values["nominee_organisation"],
        values["nominee_email"],
        values["nominee_key"],
        values["title"],
        values["justification"],
        values["links"],
        values["nominator_name"],
        values["nominator_email"],
        values["nominator_relation"],
        values["language"],
        values["secret_hash"],
        now,
    )
    return result


async def nomination_by_id(conn: asyncpg.Connection, nomination_id: UUID) -> Nomination | None:
    row = await conn.fetchrow(NOMINATION_BY_ID, nomination_id)
    return to_nomination(row) if row else None


async def nomination_by_secret(conn: asyncpg.Connection, secret_hash: bytes) -> Nomination | None:
    row = await conn.fetchrow(NOMINATION_BY_SECRET, secret_hash)
    return to_nomination(row) if row else None


async def nomination_for_update(conn: asyncpg.Connection, nomination_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(NOMINATION_FOR_UPDATE, nomination_id)


async def nominations_of_call(conn: asyncpg.Connection, call_id: UUID) -> list[Nomination]:
    return [to_nomination(r) for r in await conn.fetch(NOMINATIONS_OF_CALL, call_id)]


async def group_size(conn: asyncpg.Connection, call_id: UUID, nominee_key: str) -> int:
    return int(await conn.fetchval(GROUP_OF, call_id, nominee_key))


async def set_status(conn: asyncpg.Connection, nomination_id: UUID, status: str, reason: str, now: datetime) -> None:
    await conn.execute(SET_STATUS, nomination_id, status, reason, now)


async def history(
    conn: asyncpg.Connection, nomination_id: UUID, now: datetime, actor: str, action: str, data: dict[str, Any]
) -> None:
    await conn.execute(HISTORY, nomination_id, now, actor, action, data)


async def declare_conflict(
    conn: asyncpg.Connection, nomination_id: UUID, user_id: UUID, reason: str, now: datetime
) -> None:
    await conn.execute(DECLARE_CONFLICT, nomination_id, user_id, reason, now)
    await conn.execute(DELETE_SCORES_OF, nomination_id, user_id)


async def has_conflict(conn: asyncpg.Connection, nomination_id: UUID, user_id: UUID) -> bool:
    return bool(await conn.fetchval(HAS_CONFLICT, nomination_id, user_id))


async def recusals(conn: asyncpg.Connection, nomination_id: UUID) -> int:
    return int(await conn.fetchval(RECUSALS, nomination_id))


async def upsert_scores(
    conn: asyncpg.Connection, nomination_id: UUID, user_id: UUID, rows: list[tuple[UUID, int, str]], now: datetime
) -> None:
    await conn.executemany(
        UPSERT_SCORE, [(nomination_id, user_id, criterion, score, comment, now) for criterion, score, comment in rows]
    )


async def scores_of_nomination(conn: asyncpg.Connection, nomination_id: UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(SCORES_OF_NOMINATION, nomination_id))


async def scores_of_call(conn: asyncpg.Connection, call_id: UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(SCORES_OF_CALL, call_id))


async def conflicts_of_call(conn: asyncpg.Connection, call_id: UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(CONFLICTS_OF_CALL, call_id))


async def juror_standing(conn: asyncpg.Connection, call_id: UUID, user_id: UUID) -> dict[UUID, tuple[bool, int]]:
    return {r["id"]: (r["conflict"], int(r["scored"])) for r in await conn.fetch(JUROR_STANDING, call_id, user_id)}


async def winners(conn: asyncpg.Connection, prize_id: UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(WINNERS, prize_id))


async def jurors_behind(conn: asyncpg.Connection, call_id: UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(JURORS_BEHIND, call_id))
