"""Reminders before an event: which ones an event has, when each falls due, and who gets it.

Each reminder that is on has one job (`event.reminder`) queued for its due time, named by the reminder, the
time it was turned on (its revision) and the due time, so moving the event or turning the reminder off and on
queues a new one and the old one finds itself stale. When it runs, the fan-out claims a delivery row per
registration and queues that person's mail in the same transaction; a second run (a restarted worker, a clock
moved back and forth) finds the rows taken and queues nothing. Only those registered by the due time are
reminded: someone who registers after it got everything a reminder says in their confirmation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from .. import audit, jobs
from ..accounts.schemas import Principal
from ..errors import Invalid, InvalidState, NotFound
from ..events import queries as event_queries
from ..events.schemas import Event
from . import queries
from .schemas import DEFAULT_BEFORE, MAX_REMINDERS, Reminder, ReminderIn, format_duration, parse_duration

FAN_OUT = "event.reminder"
MAIL = "registration.reminder"


class NotDueYet(InvalidState):
    """The fan-out ran before its due time (the clock moved back): it should run again in `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__("reminder_not_due", f"the reminder is due in {seconds:.0f} s")
        self.seconds = seconds


def due_at(event: Event, before_seconds: int) -> datetime:
    return event.starts_at - timedelta(seconds=before_seconds)


def fan_out_key(reminder_id: UUID, revision: int, due: datetime) -> str:
    return f"{FAN_OUT}:{reminder_id}:{revision}:{int(due.timestamp())}"


async def _schedule(
    conn: asyncpg.Connection, event: Event, reminder_id: UUID, revision: int, before_seconds: int, *, now: datetime
) -> None:
    """Queue the reminder's fan-out for its due time, unless that time has passed (a reminder is never late)."""
    due = due_at(event, before_seconds)
    if due <= now:
        return
    await jobs.enqueue(
        conn,
        FAN_OUT,
        {"reminder_id": str(reminder_id), "revision": revision, "due": int(due.timestamp())},
        dedupe_key=fan_out_key(reminder_id, revision, due),
        run_after=due,
    )


async def list_reminders(conn: asyncpg.Connection, event: Event) -> list[Reminder]:
    """The reminders that are on, earliest first."""
    return [
        Reminder(
            before=format_duration(row.before_seconds),
            due_at=due_at(event, row.before_seconds),
            sent=row.sent,
        )
        for row in await queries.reminders_of(conn, event.id)
    ]


def parse_reminders(items: Sequence[ReminderIn]) -> list[int]:
    """Seconds before the start, in the order given. Raises Invalid (invalid_duration, duplicate_reminder,
    too_many_reminders)."""
    if len(items) > MAX_REMINDERS:
        raise Invalid("too_many_reminders", f"at most {MAX_REMINDERS} reminders per event")
    seconds: list[int] = []
    for index, item in enumerate(items):
        value = parse_duration(item.before, field=f"[{index}].before")
        if value in seconds:
            raise Invalid("duplicate_reminder", f"{item.before!r} is listed twice", field=f"[{index}].before")
        seconds.append(value)
    return seconds


async def set_reminders(
    conn: asyncpg.Connection, event: Event, items: Sequence[ReminderIn], *, actor: Principal, now: datetime
) -> list[Reminder]:
    """Make the event's reminders exactly `items` (an empty list turns them all off); those turned on are
    scheduled. Raises Invalid (nothing changed), InvalidState (event_cancelled). Idempotent."""
    wanted = parse_reminders(items)
    async with conn.transaction():
        locked = await event_queries.event_for_update(conn, event.slug)
        if locked is None:
            raise NotFound("event_not_found", f"no event {event.slug!r}")
        if locked.status == "cancelled":
            raise InvalidState("event_cancelled", "a cancelled event sends no reminders")
        turned_on: list[int] = []
        for before_seconds in wanted:
            row = await queries.turn_on(conn, locked.id, before_seconds, now)
            if row is not None:
                turned_on.append(before_seconds)
                await _schedule(conn, locked, row.id, row.revision, before_seconds, now=now)
        turned_off = await queries.turn_off_others(conn, locked.id, wanted, now)
        if turned_on or turned_off:
            await audit.record(
                conn,
                "event.reminders_changed",
                actor=actor.actor,
                event_id=locked.id,
                data={
                    "on": [format_duration(s) for s in turned_on],
                    "off": [format_duration(s) for s in turned_off],
                },
            )
        return await list_reminders(conn, locked)


async def add_default_reminders(conn: asyncpg.Connection, event: Event, actor: str, now: datetime) -> None:
    """Event creation hook: a new event reminds 7 days and 1 day before its start."""
    for before_seconds in DEFAULT_BEFORE:
        row = await queries.turn_on(conn, event.id, before_seconds, now)
        if row is not None:
            await _schedule(conn, event, row.id, row.revision, before_seconds, now=now)


async def copy_reminders(conn: asyncpg.Connection, source: Event, copy: Event, *, now: datetime) -> int:
    """The reminders that are on for `source`, turned on (and scheduled) for its copy `copy`; how many. Runs in
    the caller's transaction."""
    copied = 0
    for reminder in await queries.reminders_of(conn, source.id):
        row = await queries.turn_on(conn, copy.id, reminder.before_seconds, now)
        if row is not None:
            copied += 1
            await _schedule(conn, copy, row.id, row.revision, reminder.before_seconds, now=now)
    return copied


async def on_event_changed(conn: asyncpg.Connection, before: Event, after: Event, actor: str, now: datetime) -> None:
    """Event change hook: a new start time reschedules every reminder that is on (the old jobs go stale)."""
    if before.starts_at == after.starts_at:
        return
    for row in await queries.reminders_of(conn, after.id):
        await _schedule(conn, after, row.id, row.revision, row.before_seconds, now=now)


async def fan_out(
    conn: asyncpg.Connection, reminder_id: UUID, *, revision: int, due: int, now: datetime
) -> dict[str, object]:
    """Claim a delivery for everyone registered by the due time and queue their mails, in one transaction.
    Raises NotDueYet before the due time. Idempotent: a second run claims and queues nothing."""
    async with conn.transaction():
        reminder = await queries.reminder_for_update(conn, reminder_id)
        if reminder is None or not reminder.enabled or reminder.revision != revision:
            return {"skipped": "turned off"}
        event = await event_queries.event_by_id(conn, reminder.event_id)
        assert event is not None
        due_time = due_at(event, reminder.before_seconds)
        if int(due_time.timestamp()) != due:
            return {"skipped": "event moved"}
        if event.status == "cancelled":
            return {"skipped": "event cancelled"}
        if now >= event.starts_at:
            return {"skipped": "event started"}
        if now < due_time:
            raise NotDueYet((due_time - now).total_seconds())
        claimed = await queries.claim_deliveries(conn, event.id, reminder_id, now=now, registered_by=due_time)
        queued = await jobs.enqueue_many(
            conn,
            MAIL,
            [
                (
                    {"registration_id": str(registration_id), "reminder_id": str(reminder_id)},
                    mail_key(reminder_id, registration_id),
                )
                for registration_id in claimed
            ],
        )
    return {"claimed": len(claimed), "queued": queued}


def mail_key(reminder_id: UUID, registration_id: UUID) -> str:
    return f"{MAIL}:{reminder_id}:{registration_id}"
