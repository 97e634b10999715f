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
from . import queries
from .schemas import WatchState

EVERY = 50
SHARES = (80, 90)


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


async def digest(conn: asyncpg.Connection, event_id: UUID, state: WatchState, language: Language) -> Digest:
    """What to tell the channel since the last report."""
    result = Digest(
        milestones=list(state.milestones),
        seen_dead_job=state.seen_dead_job,
        seen_nomination=state.seen_nomination,
    )
    for milestone in milestones_between(state.seen_confirmed, state.confirmed, state.capacity):
        if milestone not in result.milestones:
            result.milestones.append(milestone)
            result.lines.append(describe(milestone, language, state.capacity))
    if state.seen_waitlisted == 0 and state.waitlisted > 0:
        result.lines.append(
            ngettext(
                language,
                "The waiting list has started: %(n)s person",
                "The waiting list has started: %(n)s people",
                state.waitlisted,
            )
            % {"n": state.waitlisted}
        )
    cancelled = state.cancelled - state.seen_cancelled
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
    for new in await queries.new_nominations(conn, event_id, state.seen_nomination):
        result.seen_nomination = max(result.seen_nomination, new.last)
        result.lines.append(
            ngettext(language, "%(n)s new nomination for %(prize)s", "%(n)s new nominations for %(prize)s", new.n)
            % {"n": new.n, "prize": pick(new.prize, language)}
        )
    dead = await queries.dead_jobs(conn, event_id, state.seen_dead_job)
    if dead:
        result.seen_dead_job = dead[-1].id
        kinds = ", ".join(sorted({job.kind for job in dead}))
        result.lines.append(
            ngettext(
                language, "%(n)s job failed for good (%(kinds)s)", "%(n)s jobs failed for good (%(kinds)s)", len(dead)
            )
            % {"n": len(dead), "kinds": kinds}
        )
    return result


async def state_of(conn: asyncpg.Connection, event_id: UUID) -> WatchState | None:
    return await queries.watch_state(conn, event_id)


async def save(conn: asyncpg.Connection, event_id: UUID, state: WatchState, result: Digest) -> None:
    await queries.save_watch(
        conn,
        event_id,
        state,
        milestones=result.milestones,
        seen_dead_job=result.seen_dead_job,
        seen_nomination=result.seen_nomination,
    )


def still_watching(state: WatchState | None, now: datetime) -> bool:
    return state is not None and state.status != "cancelled" and now < state.ends_at + timedelta(days=1)
