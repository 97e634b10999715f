"""What the console reads: the user's events with counts, a person's mails and history, and an event's audit
log (the registrations table is registrations.listing, shared with the API). Reads only; changes go through the
domains."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from ..accounts.schemas import Principal
from .schemas import AuditEntry, DashboardEvent, MailSent

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
