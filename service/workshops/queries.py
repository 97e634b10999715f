"""SQL of workshop groups, preferences and placements. Group seats count confirmed registrations only."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from ..jobs import BULK
from .schemas import Group, GroupBadge, GroupRound, GroupSize, Participant, SignupDate

_MEMBERS = """
(SELECT count(*) FROM group_placements x JOIN registrations r ON r.id = x.registration_id AND r.status = 'confirmed'
  WHERE x.group_id = g.id) AS members
"""
GROUPS = f"""
SELECT g.id, g.key, g.position, g.name, g.perspective, g.capacity, {_MEMBERS}
  FROM workshop_groups g WHERE g.event_id = $1 ORDER BY g.position
"""  # noqa: S608 - composed from this module's SQL constants
GROUPS_OF_EVENTS = f"""
SELECT g.event_id, g.id, g.key, g.position, g.name, g.perspective, g.capacity, {_MEMBERS}
  FROM workshop_groups g WHERE g.event_id = ANY($1::uuid[]) ORDER BY g.event_id, g.position
"""  # noqa: S608 - composed from this module's SQL constants
GROUP_BY_KEY = f"""
SELECT g.id, g.key, g.position, g.name, g.perspective, g.capacity, {_MEMBERS}
  FROM workshop_groups g WHERE g.event_id = $1 AND g.key = $2
"""  # noqa: S608 - composed from this module's SQL constants
INSERT_GROUP = """
INSERT INTO workshop_groups (event_id, key, position, name, perspective, capacity)
VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM workshop_groups WHERE event_id = $1), $3, $4, $5)
ON CONFLICT (event_id, key) DO NOTHING
RETURNING id
"""
DELETE_GROUP = "DELETE FROM workshop_groups WHERE id = $1"
# One lock per workshop for everything that fills or moves group seats (the late-placement trigger takes it too).
LOCK_GROUPS = "SELECT pg_advisory_xact_lock(hashtextextended('workshop_groups:' || ($1::uuid)::text, 0))"
INSERT_PREFERENCES = """
INSERT INTO group_preferences (registration_id, rank, group_id)
SELECT $1, rank, group_id FROM unnest($2::uuid[]) WITH ORDINALITY AS p (group_id, rank)
"""
DELETE_PREFERENCES = "DELETE FROM group_preferences WHERE registration_id = $1"
RANKING_OF = """
SELECT g.key FROM group_preferences p JOIN workshop_groups g ON g.id = p.group_id
 WHERE p.registration_id = $1 ORDER BY p.rank
"""
# A placement keeps the rank its group has in the person's ranking (NULL: a group they no longer ranked).
REFRESH_CHOICE = """
UPDATE group_placements x
   SET choice = (SELECT p.rank FROM group_preferences p WHERE p.registration_id = x.registration_id
                    AND p.group_id = x.group_id)
 WHERE x.registration_id = $1
"""
# Per registration: the group it is placed in (confirmed only) and the group it ranked first.
PERSPECTIVES_OF = """
SELECT r.id,
       (SELECT g.id FROM group_placements x JOIN workshop_groups g ON g.id = x.group_id
         WHERE x.registration_id = r.id AND r.status = 'confirmed') AS placed,
       (SELECT p.group_id FROM group_preferences p WHERE p.registration_id = r.id AND p.rank = 1) AS first
  FROM registrations r WHERE r.id = ANY($1::uuid[])
"""
# Every confirmed participant with their ranking (group ids) and current placement, in registration order.
PARTICIPANTS = """
SELECT r.id, r.name, r.email, r.organisation, r.role, r.accessibility,
       coalesce((SELECT array_agg(p.group_id ORDER BY p.rank) FROM group_preferences p
                  WHERE p.registration_id = r.id), '{}') AS ranking,
       x.group_id, x.choice, x.locked, x.placed_by
  FROM registrations r LEFT JOIN group_placements x ON x.registration_id = r.id
 WHERE r.event_id = $1 AND r.status = 'confirmed'
 ORDER BY r.queue_seq
"""
CLEAR_UNLOCKED = "DELETE FROM group_placements WHERE event_id = $1 AND NOT locked"
# Placements of people no longer confirmed go when the groups are assigned again.
CLEAR_STALE = """
DELETE FROM group_placements x USING registrations r
 WHERE x.event_id = $1 AND r.id = x.registration_id AND r.status <> 'confirmed'
"""
INSERT_PLACEMENTS = """
INSERT INTO group_placements (registration_id, event_id, group_id, choice, locked, placed_by, placed_at)
SELECT registration_id, $1, group_id, choice, false, 'solver', $2
  FROM unnest($3::uuid[], $4::uuid[], $5::int[]) AS p (registration_id, group_id, choice)
"""
UPSERT_PLACEMENT = """
INSERT INTO group_placements (registration_id, event_id, group_id, choice, locked, placed_by, placed_at)
VALUES ($1, $2, $3, (SELECT rank FROM group_preferences WHERE registration_id = $1 AND group_id = $3), $4,
        'organiser', $5)
ON CONFLICT (registration_id) DO UPDATE
   SET group_id = EXCLUDED.group_id, choice = EXCLUDED.choice, locked = EXCLUDED.locked,
       placed_by = EXCLUDED.placed_by, placed_at = EXCLUDED.placed_at
"""
SET_LOCKED = "UPDATE group_placements SET locked = $2 WHERE registration_id = $1 RETURNING group_id"
UPSERT_ROUND = """
INSERT INTO group_rounds (event_id, assigned_at, assigned_by) VALUES ($1, $2, $3)
ON CONFLICT (event_id) DO UPDATE SET assigned_at = EXCLUDED.assigned_at, assigned_by = EXCLUDED.assigned_by
"""
ROUND = "SELECT assigned_at, published_at FROM group_rounds WHERE event_id = $1"
PUBLISH_ROUND = "UPDATE group_rounds SET published_at = $2, published_by = $3 WHERE event_id = $1"
# One mail per person and group: publishing again tells only those whose group changed (or who are new).
ENQUEUE_PLACEMENT_MAILS = f"""
WITH placed AS (
    SELECT x.registration_id, x.group_id FROM group_placements x
      JOIN registrations r ON r.id = x.registration_id AND r.status = 'confirmed'
     WHERE x.event_id = $1
), queued AS (
    INSERT INTO jobs (kind, payload, dedupe_key, priority)
    SELECT 'workshops.placement', jsonb_build_object('registration_id', registration_id, 'group_id', group_id),
           'workshops.placement:' || registration_id || ':' || group_id, {BULK}
      FROM placed ORDER BY registration_id
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM queued
"""  # noqa: S608 - BULK is a constant of service.jobs
GROUP_OF = """
SELECT g.id, g.key, g.name, g.perspective, coalesce(o.published_at IS NOT NULL, false) AS published
  FROM group_placements x
  JOIN registrations r ON r.id = x.registration_id AND r.status = 'confirmed'
  JOIN workshop_groups g ON g.id = x.group_id
  LEFT JOIN group_rounds o ON o.event_id = x.event_id
 WHERE x.registration_id = $1
"""
# The registrations one series sign-up made share its id; nothing else (not the e-mail address) ties them.
TIE_TO_SIGNUP = "UPDATE registrations SET signup_id = $1 WHERE id = ANY($2::uuid[])"
# The active registrations in a series made by the same sign-up as registration $1 (only itself without one).
SAME_SIGNUP_IN_SERIES = """
SELECT r.id, r.status, e.slug
  FROM registrations own
  JOIN registrations r ON r.id = own.id OR r.signup_id = own.signup_id
  JOIN events e ON e.id = r.event_id
 WHERE own.id = $1 AND e.series = $2 AND r.status <> 'cancelled'
 ORDER BY e.starts_at, e.slug
"""
GROUP_SIZES = """
SELECT g.name, count(p.registration_id)::int AS members
  FROM workshop_groups g LEFT JOIN group_placements p ON p.group_id = g.id
 WHERE g.event_id = $1
 GROUP BY g.id ORDER BY g.position
"""
SERIES_EVENTS = """
SELECT slug FROM events WHERE series = $1 AND kind = 'workshop' AND status = 'published' ORDER BY starts_at, slug
"""


def to_group(row: asyncpg.Record) -> Group:
    return Group(**{k: v for k, v in dict(row).items() if k != "event_id"})


async def groups(conn: asyncpg.Connection, event_id: UUID) -> list[Group]:
    return [to_group(r) for r in await conn.fetch(GROUPS, event_id)]


async def groups_of_events(conn: asyncpg.Connection, event_ids: list[UUID]) -> dict[UUID, list[Group]]:
    found: dict[UUID, list[Group]] = {event_id: [] for event_id in event_ids}
    for row in await conn.fetch(GROUPS_OF_EVENTS, event_ids):
        found[row["event_id"]].append(to_group(row))
    return found


async def group_by_key(conn: asyncpg.Connection, event_id: UUID, key: str) -> Group | None:
    row = await conn.fetchrow(GROUP_BY_KEY, event_id, key)
    return to_group(row) if row else None


async def insert_group(
    conn: asyncpg.Connection, event_id: UUID, key: str, name: dict[str, str], perspective: dict[str, str], capacity: int
) -> UUID | None:
    result: UUID | None = await conn.fetchval(INSERT_GROUP, event_id, key, name, perspective, capacity)
    return result


async def update_group(conn: asyncpg.Connection, group_id: UUID, changes: dict[str, Any]) -> None:
    columns = [name for name in changes if name in ("name", "perspective", "capacity")]
    if columns:
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(columns, start=2))
        await conn.execute(
            f"UPDATE workshop_groups SET {assignments} WHERE id = $1",  # noqa: S608 - column names from a fixed tuple, values as $n
            group_id,
            *(changes[c] for c in columns),
        )


async def delete_group(conn: asyncpg.Connection, group_id: UUID) -> None:
    await conn.execute(DELETE_GROUP, group_id)


async def lock_groups(conn: asyncpg.Connection, event_id: UUID) -> None:
    await conn.execute(LOCK_GROUPS, event_id)


async def insert_preferences(conn: asyncpg.Connection, registration_id: UUID, group_ids: list[UUID]) -> None:
    await conn.execute(INSERT_PREFERENCES, registration_id, group_ids)


async def replace_preferences(conn: asyncpg.Connection, registration_id: UUID, group_ids: list[UUID]) -> None:
    await conn.execute(DELETE_PREFERENCES, registration_id)
    await conn.execute(INSERT_PREFERENCES, registration_id, group_ids)
    await conn.execute(REFRESH_CHOICE, registration_id)


async def ranking_of(conn: asyncpg.Connection, registration_id: UUID) -> list[str]:
    """The keys of the groups a registration ranked, most wanted first."""
    return [row["key"] for row in await conn.fetch(RANKING_OF, registration_id)]


async def perspectives_of(
    conn: asyncpg.Connection, registration_ids: list[UUID]
) -> dict[UUID, tuple[UUID | None, UUID | None]]:
    """For each registration: (the group it is placed in, the group it ranked first), either None."""
    rows = await conn.fetch(PERSPECTIVES_OF, registration_ids)
    return {row["id"]: (row["placed"], row["first"]) for row in rows}


async def participants(conn: asyncpg.Connection, event_id: UUID) -> list[Participant]:
    return [Participant(**row) for row in await conn.fetch(PARTICIPANTS, event_id)]


async def replace_unlocked(
    conn: asyncpg.Connection, event_id: UUID, now: datetime, placed: list[tuple[UUID, UUID, int | None]]
) -> None:
    await conn.execute(CLEAR_STALE, event_id)
    await conn.execute(CLEAR_UNLOCKED, event_id)
    await conn.execute(
        INSERT_PLACEMENTS, event_id, now, [p[0] for p in placed], [p[1] for p in placed], [p[2] for p in placed]
    )


async def upsert_placement(
    conn: asyncpg.Connection, registration_id: UUID, event_id: UUID, group_id: UUID, *, locked: bool, now: datetime
) -> None:
    await conn.execute(UPSERT_PLACEMENT, registration_id, event_id, group_id, locked, now)


async def set_locked(conn: asyncpg.Connection, registration_id: UUID, locked: bool) -> bool:
    return await conn.fetchval(SET_LOCKED, registration_id, locked) is not None


async def upsert_round(conn: asyncpg.Connection, event_id: UUID, now: datetime, actor: str) -> None:
    await conn.execute(UPSERT_ROUND, event_id, now, actor)


async def round_of(conn: asyncpg.Connection, event_id: UUID) -> GroupRound | None:
    row = await conn.fetchrow(ROUND, event_id)
    return GroupRound(**row) if row else None


async def group_sizes(conn: asyncpg.Connection, event_id: UUID) -> list[GroupSize]:
    """Each group's name and how many are placed in it, in the groups' order."""
    return [GroupSize(**row) for row in await conn.fetch(GROUP_SIZES, event_id)]


async def series_event_slugs(conn: asyncpg.Connection, series: str) -> list[str]:
    """The published workshops of a series, soonest first."""
    return [row["slug"] for row in await conn.fetch(SERIES_EVENTS, series)]


async def publish_round(conn: asyncpg.Connection, event_id: UUID, now: datetime, actor: str) -> int:
    await conn.execute(PUBLISH_ROUND, event_id, now, actor)
    return int(await conn.fetchval(ENQUEUE_PLACEMENT_MAILS, event_id))


async def group_of(conn: asyncpg.Connection, registration_id: UUID) -> GroupBadge | None:
    """The group a confirmed registration is placed in (`published` says whether they were told), or None.

    For the ticket, the manage page and door check-in.
    """
    row = await conn.fetchrow(GROUP_OF, registration_id)
    return GroupBadge(**dict(row)) if row else None


async def tie_to_signup(conn: asyncpg.Connection, signup_id: UUID, registration_ids: list[UUID]) -> None:
    await conn.execute(TIE_TO_SIGNUP, signup_id, registration_ids)


async def same_signup_in_series(conn: asyncpg.Connection, registration_id: UUID, series: str) -> list[SignupDate]:
    return [SignupDate(**row) for row in await conn.fetch(SAME_SIGNUP_IN_SERIES, registration_id, series)]
