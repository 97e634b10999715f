"""What the console reads: the user's events with counts, the registrations table (keyset pages), a
person's mails and history, and an event's audit log. Reads only; changes go through the domains."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from .. import db
from ..accounts.schemas import Principal
from ..registrations import paging
from ..registrations.queries import filter_where
from .schemas import AuditEntry, DashboardEvent, ListedRegistration, MailSent, RegistrationFilter

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
EXPORT_BATCH = 2_000

_IN_SCOPE = (
    "($1::text = 'admin' OR EXISTS (SELECT 1 FROM user_event_scopes s WHERE s.user_id = $2 AND s.event_id = e.id))"
)
_EVENT_COUNTS = f"""
SELECT e.id, e.slug, e.title, e.status, e.starts_at, e.ends_at, e.capacity, e.registration_paused,
       count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,
       count(*) FILTER (WHERE r.status = 'waitlisted') AS waitlisted,
       count(*) FILTER (WHERE r.status = 'cancelled' AND r.cancelled_at > $3) AS cancelled_this_week
  FROM events e LEFT JOIN registrations r ON r.event_id = e.id
 WHERE {_IN_SCOPE}
"""  # noqa: S608 - composed from this module's SQL constants
UPCOMING = _EVENT_COUNTS + " AND e.ends_at > $4 GROUP BY e.id ORDER BY e.starts_at, e.slug LIMIT 50"
ALL_EVENTS = _EVENT_COUNTS + " GROUP BY e.id ORDER BY e.starts_at DESC, e.slug LIMIT 500"

# Waiting-list positions of the whole event (a filter must not renumber them), joined to the page.
_POSITIONS = """
WITH positions AS (
    SELECT id, row_number() OVER (ORDER BY queue_seq) AS waitlist_position
      FROM registrations WHERE event_id = $1 AND status = 'waitlisted'
)
"""
_ROW = """
r.id, r.status, p.waitlist_position, r.name, r.email, r.organisation, r.role, r.dietary, r.accessibility,
r.language, r.answers, r.queue_seq, r.created_at, lower(r.name) AS sort_name,
a.scanned_at AS checked_in_at, d.name AS checked_in_door, r.source
"""
# The admission (first valid scan) and its door, joined to the rows.
_CHECKED_IN = "LEFT JOIN checkin_admissions a ON a.registration_id = r.id LEFT JOIN doors d ON d.id = a.door_id"
_ORDER = {
    "created": ("r.queue_seq", "ASC"),
    "-created": ("r.queue_seq", "DESC"),
    "name": ("lower(r.name), r.queue_seq", "ASC"),
    "-name": ("lower(r.name), r.queue_seq", "DESC"),
}
# Sent mails are kept with the registration (sent_mails); the jobs add those waiting, failed, or sent before it was
# kept (finished jobs are purged after a week).
MAILS_OF = """
SELECT kind, subject, sent_at AS created_at, sent_at AS done_at, NULL::timestamptz AS dead_at, 1 AS attempts,
       NULL AS last_error
  FROM sent_mails WHERE registration_id = $1::text::uuid
UNION ALL
SELECT kind, '' AS subject, created_at, done_at, dead_at, attempts, last_error
  FROM jobs j WHERE payload ? 'registration_id' AND payload ->> 'registration_id' = $1::text
   AND NOT EXISTS (SELECT 1 FROM sent_mails m WHERE m.job_id = j.id)
 ORDER BY created_at
"""
AUDIT_OF = """
SELECT at, actor, action, '' AS subject, data, id AS n FROM audit_log WHERE event_id = $1 AND at < $2
UNION ALL
SELECT h.at, h.actor, h.action, r.name AS subject, h.data, h.id AS n
  FROM registration_history h JOIN registrations r ON r.id = h.registration_id
 WHERE r.event_id = $1 AND h.at < $2 AND h.actor LIKE 'user:%'
 ORDER BY at DESC, n DESC
 LIMIT $3
"""
# The ids the subject already names are left out of the details.
PRIZE_AUDIT_OF = """
SELECT a.at, coalesce(u.email, a.actor) AS actor, a.action,
       concat_ws(' ', c.year::text, '#' || n.number::text) AS subject,
       a.data - 'prize_id' - 'call_id' - 'year' - 'nomination_id' AS data
  FROM audit_log a
  LEFT JOIN users u ON a.actor = 'user:' || u.id::text
  LEFT JOIN prize_calls c ON c.id = (a.data ->> 'call_id')::uuid
  LEFT JOIN nominations n ON n.id = (a.data ->> 'nomination_id')::uuid
 WHERE a.data ? 'prize_id' AND (a.data ->> 'prize_id')::uuid = $1 AND a.at < $2
 ORDER BY a.at DESC, a.id DESC
 LIMIT $3
"""


async def upcoming_events(conn: asyncpg.Connection, actor: Principal, *, now: datetime) -> list[DashboardEvent]:
    rows = await conn.fetch(UPCOMING, actor.role, actor.user_id, now - timedelta(days=7), now)
    return [DashboardEvent(**dict(row)) for row in rows]


async def all_events(conn: asyncpg.Connection, actor: Principal, *, now: datetime) -> list[DashboardEvent]:
    rows = await conn.fetch(ALL_EVENTS, actor.role, actor.user_id, now - timedelta(days=7))
    return [DashboardEvent(**dict(row)) for row in rows]


def encode_cursor(row: ListedRegistration, sort: str) -> str:
    return paging.encode(paging.key_of(sort, sort_name=row.sort_name, queue_seq=row.queue_seq))


def _rows_sql(clauses: list[str], order: str, *, limit: str) -> str:
    """The table's rows (with waiting-list places and check-ins) that `clauses` keep, in `order`."""
    return (
        f"{_POSITIONS} SELECT {_ROW} FROM registrations r LEFT JOIN positions p ON p.id = r.id {_CHECKED_IN} "  # noqa: S608 - clauses, order from _where/_ORDER: fixed SQL, values as $n
        f"WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT {limit}"
    )


def _where(event_id: UUID, chosen: RegistrationFilter) -> tuple[list[str], list[Any]]:
    return filter_where(
        event_id,
        status=chosen.status,
        role=chosen.role,
        text=chosen.q.strip(),
        session=chosen.session,
        group=chosen.group,
        checked_in=chosen.checked_in,
    )


async def registrations_page(
    conn: asyncpg.Connection,
    event_id: UUID,
    chosen: RegistrationFilter,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[ListedRegistration], bool, bool, int]:
    """One page of the filtered table: (rows, has_previous, has_next, total matching).

    Keyset paging on the sort key and queue_seq: each page is an index range scan, as fast on page 100 as
    on page 1. `before` walks backwards (the order reversed, then the rows turned round).
    """
    column, direction = _ORDER[chosen.sort]
    clauses, params = _where(event_id, chosen)
    total = await count_rows(conn, event_id, chosen)
    backwards = before is not None and after is None
    key = paging.decode(before if backwards else after, chosen.sort)
    forward = (direction == "ASC") != backwards
    if key is not None:
        placeholders = ", ".join(f"${len(params) + i + 1}" for i in range(len(key)))
        params.extend(key)
        clauses.append(f"({column}) {'>' if forward else '<'} ({placeholders})")
    order = ", ".join(f"{part} {'ASC' if forward else 'DESC'}" for part in column.split(", "))
    params.append(limit + 1)
    sql = _rows_sql(clauses, order, limit=f"${len(params)}")
    rows = [ListedRegistration(**dict(row)) for row in await conn.fetch(sql, *params)]
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
        return rows, more, True, total
    return rows, key is not None, more, total


async def count_rows(conn: asyncpg.Connection, event_id: UUID, chosen: RegistrationFilter) -> int:
    """How many registrations the filter keeps."""
    clauses, params = _where(event_id, chosen)
    return int(await conn.fetchval(f"SELECT count(*) FROM registrations r WHERE {' AND '.join(clauses)}", *params))  # noqa: S608 - clauses from _where: fixed SQL, values as $n


async def export_batches(
    pool: asyncpg.Pool, event_id: UUID, chosen: RegistrationFilter
) -> AsyncIterator[list[ListedRegistration]]:
    """Every row of the filter, in the table's order (for CSV and XLSX), EXPORT_BATCH rows at a time from a
    server-side cursor on a connection of its own (held while the download is being sent), so an export of
    50,000 rows never holds them all in memory; one read-only snapshot, so the rows are one moment's."""
    column, direction = _ORDER[chosen.sort]
    clauses, params = _where(event_id, chosen)
    order = ", ".join(f"{part} {direction}" for part in column.split(", "))
    params.append(EXPORT_LIMIT)
    sql = _rows_sql(clauses, order, limit=f"${len(params)}")
    async with db.borrowed(pool) as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        cursor = await conn.cursor(sql, *params)
        while rows := await cursor.fetch(EXPORT_BATCH):
            yield [ListedRegistration(**dict(row)) for row in rows]


async def mails_of(conn: asyncpg.Connection, registration_id: UUID) -> list[MailSent]:
    return [MailSent(**dict(row)) for row in await conn.fetch(MAILS_OF, str(registration_id))]


async def audit_of(conn: asyncpg.Connection, event_id: UUID, *, before: datetime, limit: int = 100) -> list[AuditEntry]:
    rows = await conn.fetch(AUDIT_OF, event_id, before, limit)
    return [
        AuditEntry(at=r["at"], actor=r["actor"], action=r["action"], subject=r["subject"], data=r["data"]) for r in rows
    ]


async def prize_audit_of(
    conn: asyncpg.Connection, prize_id: UUID, *, before: datetime, limit: int = 100
) -> list[AuditEntry]:
    """A prize's trail (service/nominations/trail.py), newest first: the call's year and the nomination's
    number as the subject, the signed-in person's address as the actor."""
    return [AuditEntry(**dict(row)) for row in await conn.fetch(PRIZE_AUDIT_OF, prize_id, before, limit)]
