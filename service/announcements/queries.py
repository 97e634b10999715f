"""SQL of announcements: drafts, the recipients fixed at sending time, one mail job per recipient."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from ..jobs import BULK
from ..progress import Progress
from .schemas import Announcement, Channel, MailContext, SendingStarted

# Each audience's recipients (see audiences.py): `registration_id`, with $1 the event id and $2 the audience's
# reference (a session id; NULL for audiences without one).
RECIPIENTS = {
    "confirmed": """
SELECT r.id AS registration_id FROM registrations r WHERE r.event_id = $1 AND r.status = 'confirmed'
   AND $2::text IS NULL""",
    "waitlisted": """
SELECT r.id AS registration_id FROM registrations r WHERE r.event_id = $1 AND r.status = 'waitlisted'
   AND $2::text IS NULL""",
    "checked_in": """
SELECT r.id AS registration_id FROM registrations r JOIN checkin_admissions a ON a.registration_id = r.id
 WHERE r.event_id = $1 AND r.status = 'confirmed' AND $2::text IS NULL""",
    # A plenary session is everyone's; a chosen one is those with a place in it.
    "session": """
SELECT r.id AS registration_id FROM registrations r JOIN sessions s ON s.event_id = r.event_id
 WHERE r.event_id = $1 AND r.status = 'confirmed' AND s.id = $2::uuid
   AND (s.kind = 'plenary' OR EXISTS (SELECT 1 FROM session_choices c WHERE c.registration_id = r.id
                                       AND c.session_id = s.id AND c.status = 'confirmed'))""",
}
_COLUMNS = """
a.id, a.event_id, a.audience, a.audience_ref, a.subject, a.body, a.status, a.send_at, a.actor, a.report_to,
a.created_at, a.confirmed_at, a.sent_at, a.recipients, a.mails_sent, a.mails_failed, a.mails_skipped, a.channel_posted
"""
# A resubmitted Slack modal (same view) updates its draft instead of creating a second one.
UPSERT_DRAFT = f"""
INSERT INTO announcements AS a (event_id, audience, audience_ref, subject, body, send_at, source_key, created_by,
                                actor, report_to, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (source_key) DO UPDATE
   SET event_id = EXCLUDED.event_id, audience = EXCLUDED.audience, audience_ref = EXCLUDED.audience_ref,
       subject = EXCLUDED.subject, body = EXCLUDED.body, send_at = EXCLUDED.send_at
 WHERE a.status = 'draft'
RETURNING {_COLUMNS}
"""  # noqa: S608 - composed from this module's SQL constants
BY_SOURCE = f"SELECT {_COLUMNS} FROM announcements a WHERE a.source_key = $1"  # noqa: S608 - composed from this module's SQL constants
BY_ID = f"SELECT {_COLUMNS} FROM announcements a WHERE a.id = $1"  # noqa: S608 - composed from this module's SQL constants
OF_EVENT = f"SELECT {_COLUMNS} FROM announcements a WHERE a.event_id = $1 ORDER BY a.created_at DESC, a.id LIMIT $2"  # noqa: S608 - composed from this module's SQL constants
FOR_UPDATE = f"SELECT {_COLUMNS} FROM announcements a WHERE a.id = $1 FOR UPDATE"  # noqa: S608 - composed from this module's SQL constants
CONFIRM = """
UPDATE announcements SET status = 'scheduled', confirmed_at = $2, report_to = report_to || $3
 WHERE id = $1 AND status = 'draft'
"""
CANCEL = "UPDATE announcements SET status = 'cancelled' WHERE id = $1 AND status IN ('draft', 'scheduled')"
START_SENDING = """
UPDATE announcements SET status = 'sending', sent_at = $2 WHERE id = $1 AND status = 'scheduled'
RETURNING event_id, audience, audience_ref, report_to
"""
SET_RECIPIENTS = """
UPDATE announcements SET recipients = $2, status = CASE WHEN $2 = 0 THEN 'sent' ELSE status END WHERE id = $1
"""
PUBLIC = f"""
SELECT {_COLUMNS} FROM announcements a
 WHERE a.event_id = $1 AND a.status IN ('sending', 'sent') AND a.audience = ANY($3::text[])
 ORDER BY a.sent_at DESC LIMIT $2
"""  # noqa: S608 - composed from this module's SQL constants
MAIL_CONTEXT = """
SELECT rc.id, rc.status, rc.announcement_id, a.subject, a.body, a.event_id, e.slug, e.title,
       r.id AS registration_id, r.name, r.email, r.language, r.status AS registration_status
  FROM announcement_recipients rc
  JOIN announcements a ON a.id = rc.announcement_id
  JOIN events e ON e.id = a.event_id
  LEFT JOIN registrations r ON r.id = rc.registration_id
 WHERE rc.id = $1
"""
# The recipient's outcome once, and the announcement's counts with it; returns how many are still pending.
RECORD_OUTCOME = """
WITH rc AS (
    UPDATE announcement_recipients SET status = $2, done_at = $4, error = $3
     WHERE id = $1 AND status IN ('pending', 'sending')
    RETURNING announcement_id
)
UPDATE announcements a
   SET mails_sent = mails_sent + ($2 = 'sent')::int,
       mails_failed = mails_failed + ($2 = 'failed')::int,
       mails_skipped = mails_skipped + ($2 = 'skipped')::int,
       status = CASE WHEN recipients = mails_sent + mails_failed + mails_skipped + 1 THEN 'sent' ELSE status END
  FROM rc
 WHERE a.id = rc.announcement_id
RETURNING a.recipients - a.mails_sent - a.mails_failed - a.mails_skipped AS pending
"""
# A mail is being sent by one worker at a time; a claim older than the stale limit is taken over (a dead worker).
CLAIM_RECIPIENT = """
UPDATE announcement_recipients SET status = 'sending', claimed_at = $2::timestamptz
 WHERE id = $1 AND (status = 'pending' OR (status = 'sending' AND claimed_at < $2::timestamptz - $3::interval))
RETURNING id
"""
RELEASE_RECIPIENT = "UPDATE announcement_recipients SET status = 'pending' WHERE id = $1 AND status = 'sending'"
SET_CHANNEL_POSTED = "UPDATE announcements SET channel_posted = $2 WHERE id = $1"
SCHEDULED_SESSION = "SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND event_id = $2 AND status = 'scheduled')"
ANNOUNCEMENT_OF_RECIPIENT = "SELECT announcement_id FROM announcement_recipients WHERE id = $1"
CREATOR_LANGUAGE = "SELECT u.language FROM announcements a JOIN users u ON u.id = a.created_by WHERE a.id = $1"
EVENT_SLUG = "SELECT slug FROM events WHERE id = $1"
# Each event's Slack channel: set (what happened before is counted as seen, so it is not announced again).
SET_CHANNEL = """
INSERT INTO event_slack_channels (event_id, channel_id, set_by, set_at, seen_confirmed, seen_waitlisted, seen_cancelled,
                                  seen_dead_job, language)
SELECT e.id, $2, $3, $4,
       count(*) FILTER (WHERE r.status = 'confirmed'), count(*) FILTER (WHERE r.status = 'waitlisted'),
       count(*) FILTER (WHERE r.status = 'cancelled'), (SELECT coalesce(max(id), 0) FROM jobs), $5
  FROM events e LEFT JOIN registrations r ON r.event_id = e.id
 WHERE e.id = $1
 GROUP BY e.id
ON CONFLICT (event_id) DO UPDATE
   SET channel_id = EXCLUDED.channel_id, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at,
       language = EXCLUDED.language
"""
CHANNEL_OF = "SELECT channel_id, language FROM event_slack_channels WHERE event_id = $1"
REMOVE_CHANNEL = "DELETE FROM event_slack_channels WHERE event_id = $1 RETURNING channel_id"
# How far the sending has come, counted from the recipients' own rows (the one record of each mail's fate);
# no total before the recipients are fixed.
PROGRESS = """
SELECT CASE WHEN a.status IN ('sending', 'sent') THEN count(rc.id) END AS total,
       count(rc.id) FILTER (WHERE rc.status = 'sent') AS sent,
       count(rc.id) FILTER (WHERE rc.status = 'failed') AS failed,
       count(rc.id) FILTER (WHERE rc.status = 'skipped') AS skipped,
       count(rc.id) FILTER (WHERE rc.status IN ('pending', 'sending')) AS pending
  FROM announcements a LEFT JOIN announcement_recipients rc ON rc.announcement_id = a.id
 WHERE a.id = $1
 GROUP BY a.id
"""
MARK_REPORTED = "UPDATE announcements SET reported_at = $2 WHERE id = $1 AND reported_at IS NULL RETURNING id"


def _fan_out_sql(audience: str) -> str:
    """Recipients and their mail jobs in one statement; a repeat adds nothing (both sides are unique)."""
    return f"""
WITH picked AS ({RECIPIENTS[audience]}
), ins AS (
    INSERT INTO announcement_recipients (announcement_id, registration_id)
    SELECT $3::uuid, registration_id FROM picked
    ON CONFLICT (announcement_id, registration_id) DO NOTHING
    RETURNING id, registration_id
), queued AS (
    INSERT INTO jobs (kind, payload, dedupe_key, max_attempts, priority)
    SELECT 'announcement.mail', jsonb_build_object('recipient_id', id, 'event_id', $1::uuid),
           'announcement.mail:' || ($3::uuid)::text || ':' || registration_id, $4, {BULK}
      FROM ins
    ON CONFLICT (dedupe_key) DO NOTHING
)
SELECT count(*) FROM ins
"""  # noqa: S608 - the audience's SQL is a constant of AUDIENCES, BULK one of service.jobs


def to_announcement(row: asyncpg.Record) -> Announcement:
    return Announcement(**dict(row))


async def upsert_draft(conn: asyncpg.Connection, event_id: UUID, values: dict[str, Any]) -> Announcement:
    args = (
        event_id,
        values["audience"],
        values["audience_ref"],
        values["subject"],
        values["body"],
        values["send_at"],
        values["source_key"],
        values["created_by"],
        values["actor"],
        values["report_to"],
        values["now"],
    )
    row = await conn.fetchrow(UPSERT_DRAFT, *args)
    if row is None:  # the modal was confirmed already: its announcement stays as it was sent
        row = await conn.fetchrow(BY_SOURCE, values["source_key"])
    assert row is not None
    return to_announcement(row)


async def by_id(conn: asyncpg.Connection, announcement_id: UUID) -> Announcement | None:
    row = await conn.fetchrow(BY_ID, announcement_id)
    return to_announcement(row) if row else None


async def of_event(conn: asyncpg.Connection, event_id: UUID, limit: int) -> list[Announcement]:
    return [to_announcement(row) for row in await conn.fetch(OF_EVENT, event_id, limit)]


async def for_update(conn: asyncpg.Connection, announcement_id: UUID) -> Announcement | None:
    row = await conn.fetchrow(FOR_UPDATE, announcement_id)
    return to_announcement(row) if row else None


async def count_recipients(conn: asyncpg.Connection, audience: str, event_id: UUID, ref: str | None) -> int:
    result: int = await conn.fetchval(f"SELECT count(*) FROM ({RECIPIENTS[audience]}) a", event_id, ref)  # noqa: S608 - the audience's SQL is a constant of RECIPIENTS
    return result


async def is_scheduled_session(conn: asyncpg.Connection, event_id: UUID, ref: str) -> bool:
    """Whether `ref` names a scheduled session of the event (a text that is no UUID names none)."""
    try:
        session_id = UUID(ref)
    except ValueError:
        return False
    return bool(await conn.fetchval(SCHEDULED_SESSION, session_id, event_id))


async def confirm(conn: asyncpg.Connection, announcement_id: UUID, now: datetime, report_to: dict[str, str]) -> bool:
    return bool(await conn.execute(CONFIRM, announcement_id, now, report_to) != "UPDATE 0")


async def cancel(conn: asyncpg.Connection, announcement_id: UUID) -> bool:
    return bool(await conn.execute(CANCEL, announcement_id) != "UPDATE 0")


async def start_sending(conn: asyncpg.Connection, announcement_id: UUID, now: datetime) -> SendingStarted | None:
    row = await conn.fetchrow(START_SENDING, announcement_id, now)
    return SendingStarted(**row) if row else None


async def fan_out(
    conn: asyncpg.Connection, audience: str, event_id: UUID, ref: str | None, announcement_id: UUID, attempts: int
) -> int:
    count: int = await conn.fetchval(_fan_out_sql(audience), event_id, ref, announcement_id, attempts)
    await conn.execute(SET_RECIPIENTS, announcement_id, count)
    return count


async def public(conn: asyncpg.Connection, event_id: UUID, limit: int, audiences: list[str]) -> list[Announcement]:
    return [to_announcement(r) for r in await conn.fetch(PUBLIC, event_id, limit, audiences)]


async def mail_context(conn: asyncpg.Connection, recipient_id: int) -> MailContext | None:
    row = await conn.fetchrow(MAIL_CONTEXT, recipient_id)
    return MailContext(**row) if row else None


async def announcement_of_recipient(conn: asyncpg.Connection, recipient_id: int) -> UUID | None:
    announcement_id: UUID | None = await conn.fetchval(ANNOUNCEMENT_OF_RECIPIENT, recipient_id)
    return announcement_id


async def creator_language(conn: asyncpg.Connection, announcement_id: UUID) -> str | None:
    """The language of the user who wrote the announcement."""
    language: str | None = await conn.fetchval(CREATOR_LANGUAGE, announcement_id)
    return language


async def event_slug(conn: asyncpg.Connection, event_id: UUID) -> str | None:
    slug: str | None = await conn.fetchval(EVENT_SLUG, event_id)
    return slug


async def set_channel(
    conn: asyncpg.Connection, event_id: UUID, channel_id: str, language: str, actor: str, now: datetime
) -> None:
    await conn.execute(SET_CHANNEL, event_id, channel_id, actor, now, language)


async def channel_of(conn: asyncpg.Connection, event_id: UUID) -> Channel | None:
    row = await conn.fetchrow(CHANNEL_OF, event_id)
    return Channel(**dict(row)) if row else None


async def remove_channel(conn: asyncpg.Connection, event_id: UUID) -> str | None:
    """Remove the event's channel; returns the channel removed (None when there was none)."""
    removed: str | None = await conn.fetchval(REMOVE_CHANNEL, event_id)
    return removed


async def record_outcome(
    conn: asyncpg.Connection, recipient_id: int, status: str, error: str | None, now: datetime
) -> int | None:
    """Pending mails left after recording this one; None when it was recorded before."""
    result: int | None = await conn.fetchval(RECORD_OUTCOME, recipient_id, status, error, now)
    return result


async def claim_recipient(conn: asyncpg.Connection, recipient_id: int, now: datetime, stale: timedelta) -> bool:
    return await conn.fetchval(CLAIM_RECIPIENT, recipient_id, now, stale) is not None


async def release_recipient(conn: asyncpg.Connection, recipient_id: int) -> None:
    await conn.execute(RELEASE_RECIPIENT, recipient_id)


async def set_channel_posted(conn: asyncpg.Connection, announcement_id: UUID, posted: bool) -> None:
    await conn.execute(SET_CHANNEL_POSTED, announcement_id, posted)


async def mark_reported(conn: asyncpg.Connection, announcement_id: UUID, now: datetime) -> bool:
    return await conn.fetchval(MARK_REPORTED, announcement_id, now) is not None


async def progress(conn: asyncpg.Connection, announcement_id: UUID) -> Progress | None:
    row = await conn.fetchrow(PROGRESS, announcement_id)
    return Progress(**row) if row else None
