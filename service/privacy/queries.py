"""SQL of the privacy domain: what the retention purge removes, and one audit entry per privacy action."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from ..audit import record

# Registrations of events that ended more than their retention period ago (the event's own, else the
# setting, $2 days) go; history, ticket images, choices, rankings, placements and admissions cascade, scans
# and announcement recipients keep a row without the person (counts still add up). The events stay.
PURGE_REGISTRATIONS = """
DELETE FROM registrations r USING events e
 WHERE r.event_id = e.id AND e.ends_at < $1::timestamptz - make_interval(days => coalesce(e.retention_days, $2))
"""

# Nominations of calls whose scoring closed more than the retention period ago (the awarding event's period
# when the call has one). Withdrawn and unsuccessful ones go entirely; a winner stays as the prize's public
# history (nominee name, title, organisation) without contact details, nominator or justification.
_OLD_CALLS = """
SELECT c.id FROM prize_calls c LEFT JOIN events e ON e.id = c.event_id
 WHERE c.scoring_closes_at < $1::timestamptz - make_interval(days => coalesce(e.retention_days, $2))
"""
# Composed of constants only (no input reaches the text).
PURGE_NOMINATIONS = f"DELETE FROM nominations WHERE status <> 'winner' AND call_id IN ({_OLD_CALLS})"  # noqa: S608
STRIP_WINNERS = f"""
UPDATE nominations
   SET nominee_email = '', nominator_name = '', nominator_email = '', nominator_relation = '',
       justification = '', links = '[]', decision_reason = '', purged_at = $1
 WHERE status = 'winner' AND purged_at IS NULL AND call_id IN ({_OLD_CALLS})
"""  # noqa: S608
# Scores and conflicts of a kept winner name jurors and hold their comments: they go with the rest.
STRIP_WINNER_SCORES = """
WITH scores AS (
    DELETE FROM nomination_scores s USING nominations n
     WHERE n.id = s.nomination_id AND n.purged_at = $1 RETURNING 1
), conflicts AS (
    DELETE FROM nomination_conflicts c USING nominations n
     WHERE n.id = c.nomination_id AND n.purged_at = $1 RETURNING 1
)
SELECT (SELECT count(*) FROM scores) + (SELECT count(*) FROM conflicts)
"""

# Wrong console passwords only matter inside the lockout window; a week is kept to look into an attack.
PURGE_SIGN_IN_FAILURES = "DELETE FROM console_sign_in_failures WHERE at < $1::timestamptz - interval '7 days'"
PURGE_SESSIONS = "DELETE FROM console_sessions WHERE expires_at < $1"
PURGE_PASSWORD_LINKS = "DELETE FROM console_password_links WHERE expires_at < $1::timestamptz - interval '7 days'"  # noqa: S105

# Finished jobs: done ones after a week (the person page lists the mails of that week), dead ones after 30
# days (time enough to requeue them, so they keep their payload). Once done, a job keeps no text, address or
# link it carried (a prepared mail's recipient and body, a calendar farewell's address, a Slack command's text
# and response URL).
PURGE_DONE_JOBS = "DELETE FROM jobs WHERE done_at < $1::timestamptz - interval '7 days'"
PURGE_DEAD_JOBS = "DELETE FROM jobs WHERE dead_at < $1::timestamptz - interval '30 days' AND done_at IS NULL"
SCRUB_DONE_PAYLOADS = """
UPDATE jobs SET payload = payload - ARRAY['to', 'email', 'name', 'text', 'html', 'response_url', 'user_name', 'secret']
 WHERE done_at IS NOT NULL
   AND payload ?| ARRAY['to', 'email', 'name', 'text', 'html', 'response_url', 'user_name', 'secret']
"""
PURGE_IDEMPOTENCY_KEYS = "DELETE FROM idempotency_keys WHERE created_at < $1::timestamptz - interval '24 hours'"


def count_of(status: str) -> int:
    """The row count of an asyncpg command status ('DELETE 3', 'UPDATE 2')."""
    return int(status.rsplit(" ", 1)[-1])


async def audit(
    conn: asyncpg.Connection, *, at: Any, actor: str, action: str, data: dict[str, Any], event_id: UUID | None = None
) -> None:
    """One audit entry, through the one audit insert (service/audit.py)."""
    await record(conn, action, actor=actor, event_id=event_id, data=data, at=at)
