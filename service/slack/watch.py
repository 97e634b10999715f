"""Batched notifications to an event's channel: a watch job per event looks once a minute at what changed
since it last reported and posts at most one message: registration milestones (every 50, 80 %, 90 %, full),
the waiting list starting, a digest of cancellations, new prize nominations for calls awarded at the event,
and jobs of the event that ended dead."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from ..i18n import Language, gettext, ngettext, pick

EVERY = 50
SHARES = (80, 90)

STATE = """
SELECT c.channel_id, c.seen_confirmed, c.seen_waitlisted, c.seen_cancelled, c.milestones, c.seen_dead_job,
       c.seen_nomination,
       e.slug, e.title, e.capacity, e.ends_at, e.status,
       (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed') AS confirmed,
       (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted') AS waitlisted,
       (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'cancelled') AS cancelled
  FROM event_slack_channels c JOIN events e ON e.id = c.event_id
 WHERE c.event_id = $1
"""
# Jobs about this event (by event_id, or by one of its registrations) that ended dead since last time.
DEAD_JOBS = """
SELECT j.id, j.kind, j.last_error FROM jobs j
 WHERE j.dead_at IS NOT NULL AND j.id > $2
   AND (j.payload ->> 'event_id' = ($1::uuid)::text
        OR j.payload ->> 'registration_id' IN (SELECT r.id::text FROM registrations r WHERE r.event_id = $1::uuid))
 ORDER BY j.id
 LIMIT 20
"""
# Nominations (not withdrawn) newer than the last reported, per prize, for calls awarded at this event.
NEW_NOMINATIONS = """
SELECT p.name AS prize, count(*)::int AS n, max(n.number) AS last
  FROM nominations n JOIN prize_calls c ON c.id = n.call_id JOIN prizes p ON p.id = c.prize_id
 WHERE c.event_id = $1 AND n.number > $2 AND n.status <> 'withdrawn'
 GROUP BY p.id, p.name ORDER BY p.id
"""
SAVE = """
UPDATE event_slack_channels
   SET seen_confirmed = $2, seen_waitlisted = $3, seen_cancelled = $4, milestones = $5, seen_dead_job = $6,
       seen_nomination = $7
 WHERE event_id = $1
"""


@dataclass
class Digest:
    lines: list[str] = field(default_factory=list)
    milestones: list[str] = field(default_factory=list)
    seen_dead_job: int = 0
    seen_nomination: int = 0


def milestones_between(before: int, now: int, capacity: int) -> list[str]:
    """Milestones reached going from `before` to `now` confirmed: "n:100", "share:80", "full"."""
    reached: list[str] = [f"n:{n}" for n in range((before // EVERY + 1) * EVERY, now + 1, EVERY) if n > 0]
    if capacity > 0:
        reached += [f"share:{s}" for s in SHARES if before * 100 < s * capacity <= now * 100]
        if before < capacity <= now:
            reached.append("full")
    return reached


def describe(milestone: str, language: Language, capacity: int) -> str:
    kind, _, value = milestone.partition(":")
    if kind == "n":
        return gettext(language, "%(n)s registered") % {"n": value}
    if kind == "share":
        return gettext(language, "%(share)s %% of the seats are taken") % {"share": value}
    return gettext(language, "The event is full (%(capacity)s seats)") % {"capacity": capacity}


async def digest(conn: asyncpg.Connection, event_id: UUID, state: asyncpg.Record, language: Language) -> Digest:
    """What to tell the channel since the last report."""
    result = Digest(
        milestones=list(state["milestones"]),
        seen_dead_job=state["seen_dead_job"],
        seen_nomination=state["seen_nomination"],
    )
    for milestone in milestones_between(state["seen_confirmed"], state["confirmed"], state["capacity"]):
        if milestone not in result.milestones:
            result.milestones.append(milestone)
            result.lines.append(describe(milestone, language, state["capacity"]))
    if state["seen_waitlisted"] == 0 and state["waitlisted"] > 0:
        result.lines.append(
            ngettext(
                language,
                "The waiting list has started: %(n)s person",
                "The waiting list has started: %(n)s people",
                state["waitlisted"],
            )
            % {"n": state["waitlisted"]}
        )
    cancelled = state["cancelled"] - state["seen_cancelled"]
    if cancelled > 0:
        result.lines.append(
            ngettext(
                language,
                "%(n)s cancellation since the last message",
                "%(n)s cancellations since the last message",
                cancelled,
            )
            % {"n": cancelled}
        )
    for row in await conn.fetch(NEW_NOMINATIONS, event_id, state["seen_nomination"]):
        result.seen_nomination = max(result.seen_nomination, row["last"])
        result.lines.append(
            ngettext(language, "%(n)s new nomination for %(prize)s", "%(n)s new nominations for %(prize)s", row["n"])
            % {"n": row["n"], "prize": pick(row["prize"], language)}
        )
    dead = await conn.fetch(DEAD_JOBS, event_id, state["seen_dead_job"])
    if dead:
        result.seen_dead_job = dead[-1]["id"]
        kinds = ", ".join(sorted({row["kind"] for row in dead}))
        result.lines.append(
            ngettext(
                language, "%(n)s job failed for good (%(kinds)s)", "%(n)s jobs failed for good (%(kinds)s)", len(dead)
            )
            % {"n": len(dead), "kinds": kinds}
        )
    return result


async def state_of(conn: asyncpg.Connection, event_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(STATE, event_id)


async def save(conn: asyncpg.Connection, event_id: UUID, state: asyncpg.Record, result: Digest) -> None:
    await conn.execute(
        SAVE,
        event_id,
        state["confirmed"],
        state["waitlisted"],
        state["cancelled"],
        result.milestones,
        result.seen_dead_job,
        result.seen_nomination,
    )


def still_watching(state: asyncpg.Record | None, now: datetime) -> bool:
    return state is not None and state["status"] != "cancelled" and now < state["ends_at"] + timedelta(days=1)
