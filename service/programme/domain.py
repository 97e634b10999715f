"""The programme: sessions of an event, and attendees' choices among parallel sessions.

A session with a capacity confirms choices up to it and keeps the rest on its own waiting list; choosing
locks the session row, so concurrent choices never overfill it. A freed place goes to the first waiting in
the same transaction. Changes a calendar must follow (time, room, title, cancellation) bump the session's
SEQUENCE and start a calendar update for everyone affected, through the job queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from .. import audit, jobs
from ..accounts.domain import require_event_scope
from ..accounts.schemas import Principal
from ..errors import Conflict, Invalid, InvalidState, NotFound
from ..events import queries as event_queries
from ..events.schemas import Event
from ..progress import Progress
from ..registrations import domain as registrations
from ..registrations import queries as registration_queries
from ..registrations.schemas import Registration, RegistrationIn
from ..types import OSLO, localized
from . import queries
from .schemas import Choice, Session, SessionIn, SessionPatch

EDIT_ROLES = ("organiser",)
# What an attendee's calendar shows of a session: a change to any of these sends an updated invite.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "room", "status")

SYNC = "calendar.sync"
FANOUT = "calendar.fanout"


async def request_sync(
    conn: asyncpg.Connection, registration_id: UUID, *, reason: str | None = None, update: str | None = None
) -> None:
    """Ask the worker to bring this attendee's calendar in line with the programme. A sync compares what was
    sent with what should be, so running it twice sends nothing more; `reason` dedupes repeated requests.
    `update` names the calendar update (a change fanned out) it is part of, so its progress can be counted."""
    dedupe = f"{SYNC}:{registration_id}:{reason}" if reason else None
    payload = {"registration_id": str(registration_id)} | ({"update": update} if update else {})
    # One attendee's own change is waited for; a calendar update for everyone queues behind it.
    priority = jobs.BULK if update else jobs.INTERACTIVE
    await jobs.enqueue(conn, SYNC, payload, dedupe_key=dedupe, priority=priority)


def update_name(event_id: UUID, session_id: UUID | None, revision: int) -> str:
    """The name of one calendar update: a session's (or the event's) change at a revision of its SEQUENCE."""
    return f"session:{session_id}:{revision}" if session_id else f"event:{event_id}:{revision}"


async def _fanout(conn: asyncpg.Connection, event_id: UUID, session_id: UUID | None, revision: int) -> None:
    await jobs.enqueue(
        conn,
        FANOUT,
        {"event_id": str(event_id), "session_id": str(session_id) if session_id else None, "revision": revision},
        dedupe_key=f"{FANOUT}:{update_name(event_id, session_id, revision)}",
    )


async def session_update_progress(
    conn: asyncpg.Connection, session_id: UUID, revision: int, *, actor: Principal
) -> Progress:
    """How many attendees' calendars one change of a session has updated, failed to and has still to.
    Raises NotFound, Forbidden."""
    session = await get_session(conn, session_id)
    await require_event_scope(conn, actor, session.event_id, *EDIT_ROLES)
    name = update_name(session.event_id, session_id, revision)
    return await queries.calendar_update_progress(conn, f"{FANOUT}:{name}", name)


async def event_update_progress(
    conn: asyncpg.Connection, event_id: UUID, revision: int, *, actor: Principal
) -> Progress:
    """The same for a change of the event itself (its time, place, title or status). Raises Forbidden."""
    await require_event_scope(conn, actor, event_id, *EDIT_ROLES)
    name = update_name(event_id, None, revision)
    return await queries.calendar_update_progress(conn, f"{FANOUT}:{name}", name)


async def event_calendar_revision(conn: asyncpg.Connection, event_id: UUID) -> int:
    """The revision of the event's latest calendar update (0: none yet)."""
    return await queries.event_calendar_revision(conn, event_id)


def _event_days(event: Event) -> tuple[datetime, datetime]:
    first = event.starts_at.astimezone(OSLO).replace(hour=0, minute=0, second=0, microsecond=0)
    last = event.ends_at.astimezone(OSLO).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return first, last


def _check_times(event: Event, starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise Invalid("invalid_time", "ends_at must be after starts_at", field="ends_at")
    first, last = _event_days(event)
    if starts_at < first or ends_at > last:
        raise Invalid(
            "session_outside_event",
            "a session must take place on the day (or days) of its event",
            field="starts_at" if starts_at < first else "ends_at",
        )


async def _event_for_edit(conn: asyncpg.Connection, event_id: UUID, actor: Principal) -> Event:
    await require_event_scope(conn, actor, event_id, *EDIT_ROLES)
    event = await event_queries.event_by_id(conn, event_id)
    assert event is not None
    if event.status == "cancelled":
        raise InvalidState("event_cancelled", "the event is cancelled")
    return event


async def list_sessions(conn: asyncpg.Connection, event_id: UUID) -> list[Session]:
    return await queries.sessions_of_event(conn, event_id)


async def get_session(conn: asyncpg.Connection, session_id: UUID) -> Session:
    session = await queries.session_by_id(conn, session_id)
    if session is None:
        raise NotFound("session_not_found", "no such session")
    return session


def adds_to_calendars(data: SessionIn) -> bool:
    """Whether a new session goes into every confirmed attendee's calendar (a plenary session does)."""
    return data.kind == "plenary"


async def create_session(
    conn: asyncpg.Connection, event_id: UUID, data: SessionIn, *, actor: Principal, now: datetime
) -> Session:
    """Add a session to an event. Raises Forbidden, InvalidState (event cancelled), Invalid. Not idempotent."""
    async with conn.transaction():
        event = await _event_for_edit(conn, event_id, actor)
        _check_times(event, data.starts_at, data.ends_at)
        values = msgspec.structs.asdict(data)
        values["title"] = localized(data.title)
        values["abstract"] = localized(data.abstract)
        values["speakers"] = [msgspec.structs.asdict(s) for s in data.speakers]
        session_id = await queries.insert_session(conn, event_id, values)
        await audit.record(
            conn, "session.created", actor=actor.actor, event_id=event_id, data={"session_id": str(session_id)}
        )
        if adds_to_calendars(data):
            await _fanout(conn, event_id, session_id, 0)
    return await get_session(conn, session_id)


def _changes(patch: SessionPatch) -> dict[str, Any]:
    """The fields a patch sets, as stored."""
    changes: dict[str, Any] = {
        name: getattr(patch, name) for name in patch.__struct_fields__ if getattr(patch, name) is not msgspec.UNSET
    }
    for name in ("title", "abstract"):
        if name in changes:
            changes[name] = localized(changes[name])
    if "speakers" in changes:
        changes["speakers"] = [msgspec.structs.asdict(s) for s in changes["speakers"]]
    return changes


def _calendar_fields_changed(before: Session, changes: dict[str, Any]) -> list[str]:
    return [name for name in CALENDAR_FIELDS if name in changes and changes[name] != getattr(before, name)]


def changes_calendar(before: Session, patch: SessionPatch) -> bool:
    """Whether saving this patch sends updated invites: a change to one of CALENDAR_FIELDS, or to the kind.
    update_session decides by the same rule; a channel asks here before it warns the organiser."""
    changes = _changes(patch)
    return bool(_calendar_fields_changed(before, changes)) or ("kind" in changes and changes["kind"] != before.kind)


async def calendar_recipients(conn: asyncpg.Connection, before: Session, kind: str | None = None) -> int:
    """How many attendees get an updated invite or a cancellation when the session changes (to `kind`)."""
    ids = set(await queries.registrations_with_session(conn, before))
    if kind and kind != before.kind:
        changed = msgspec.structs.replace(before, kind=kind)
        ids |= set(await queries.registrations_with_session(conn, changed))
    return len(ids)


async def update_session(
    conn: asyncpg.Connection, session_id: UUID, patch: SessionPatch, *, actor: Principal, now: datetime
) -> Session:
    """Change a session; a change a calendar shows updates every affected attendee's invite.

    Raises NotFound, Forbidden, InvalidState (cancelled), Invalid, Conflict (capacity below chosen)."""
    changes = _changes(patch)
    async with conn.transaction():
        if not await queries.lock_session(conn, session_id):
            raise NotFound("session_not_found", "no such session")
        before = await get_session(conn, session_id)
        event = await _event_for_edit(conn, before.event_id, actor)
        if before.status == "cancelled":
            raise InvalidState("session_cancelled", "a cancelled session cannot be changed")
        _check_times(event, changes.get("starts_at", before.starts_at), changes.get("ends_at", before.ends_at))
        capacity = changes.get("capacity", before.capacity)
        if capacity is not None and capacity < before.confirmed:
            raise Conflict(
                "capacity_below_chosen",
                f"{before.confirmed} attendees have a place in this session; capacity cannot go below that",
                field="capacity",
                confirmed=before.confirmed,
            )
        if before.confirmed + before.waitlisted and changes.get("kind", before.kind) not in ("parallel", "social"):
            raise Conflict("session_has_choices", "attendees have chosen this session; its kind cannot change")
        relevant = _calendar_fields_changed(before, changes)
        kind_changed = "kind" in changes and changes["kind"] != before.kind
        await queries.update_session(conn, session_id, changes, bump_sequence=bool(relevant) or kind_changed)
        promoted = await queries.promote(conn, session_id) if "capacity" in changes else []
        for registration_id in promoted:
            await request_sync(conn, registration_id, reason=f"session-promoted:{session_id}")
        await audit.record(
            conn,
            "session.changed",
            actor=actor.actor,
            event_id=before.event_id,
            data={"session_id": str(session_id), "fields": sorted(changes), "calendar": relevant},
        )
        if relevant or kind_changed:
            await _fanout(conn, before.event_id, session_id, before.sequence + 1)
    return await get_session(conn, session_id)


async def cancel_session(conn: asyncpg.Connection, session_id: UUID, *, actor: Principal, now: datetime) -> Session:
    """Cancel a session: it stays in feeds as cancelled; attendees get a CANCEL. Raises NotFound, Forbidden,
    InvalidState (already cancelled)."""
    async with conn.transaction():
        if not await queries.lock_session(conn, session_id):
            raise NotFound("session_not_found", "no such session")
        before = await get_session(conn, session_id)
        await _event_for_edit(conn, before.event_id, actor)
        if before.status == "cancelled":
            raise InvalidState("session_cancelled", "the session is already cancelled")
        await queries.update_session(conn, session_id, {"status": "cancelled"}, bump_sequence=True)
        await audit.record(
            conn, "session.cancelled", actor=actor.actor, event_id=before.event_id, data={"session_id": str(session_id)}
        )
        await _fanout(conn, before.event_id, session_id, before.sequence + 1)
    return await get_session(conn, session_id)


async def check_choice(conn: asyncpg.Connection, event_id: UUID, session_ids: Iterable[UUID]) -> list[Session]:
    """The chosen sessions, when they may be chosen together. Raises Invalid (unknown, not choosable, overlap)."""
    wanted = list(dict.fromkeys(session_ids))
    sessions = await queries.sessions_by_ids(conn, wanted)
    found = {s.id for s in sessions if s.event_id == event_id}
    for session_id in wanted:
        if session_id not in found:
            raise Invalid("unknown_session", f"no session {session_id} in this event", field="sessions")
    for session in sessions:
        if not session.choosable:
            raise Invalid(
                "session_not_choosable",
                f"{session.title['nb']!r} is not a session you choose (plenary, break or cancelled)",
                field="sessions",
            )
    for i, first in enumerate(sessions):
        for second in sessions[i + 1 :]:
            if first.overlaps(second):
                raise Invalid(
                    "sessions_overlap",
                    f"{first.title['nb']!r} and {second.title['nb']!r} take place at the same time; choose one",
                    field="sessions",
                    sessions=[str(first.id), str(second.id)],
                )
    return sessions


async def choose_sessions(
    conn: asyncpg.Connection, registration_id: UUID, session_ids: Iterable[UUID], *, actor: str, now: datetime
) -> list[Choice]:
    """Make these sessions the attendee's choice: new ones are confirmed while there is room, else waitlisted;
    dropped ones free their place for the next in line. Idempotent for the same set.

    Raises NotFound, InvalidState (registration cancelled), Invalid (unknown, not choosable, overlap)."""
    async with conn.transaction():
        registration = await registration_queries.registration_for_update(conn, registration_id)
        if registration is None:
            raise NotFound("registration_not_found", "no such registration")
        if registration.status == "cancelled":
            raise InvalidState("not_cancellable", "a cancelled registration cannot choose sessions")
        current = {c.session_id: c for c in await queries.choices_of(conn, registration_id)}
        wanted = list(dict.fromkeys(session_ids))
        added = [s for s in wanted if s not in current]
        dropped = [s for s in current if s not in wanted]
        if not added and not dropped:
            return list(current.values())
        sessions = {s.id: s for s in await check_choice(conn, registration.event_id, wanted)}
        # Lock in one order (by id) so two attendees swapping sessions cannot deadlock.
        for session_id in sorted(added + dropped):
            await queries.lock_session(conn, session_id)
        for session_id in dropped:
            if await queries.delete_choice(conn, registration_id, session_id) == "confirmed":
                for promoted in await queries.promote(conn, session_id):
                    await request_sync(conn, promoted, reason=f"session-promoted:{session_id}")
        statuses = {}
        for session_id in added:
            statuses[str(session_id)] = await queries.insert_choice(conn, registration_id, sessions[session_id], now)
        await registration_queries.history(
            conn,
            registration_id,
            now,
            actor,
            "registration.sessions_chosen",
            {"added": statuses, "dropped": [str(s) for s in dropped]},
        )
        await request_sync(conn, registration_id)
        return await queries.choices_of(conn, registration_id)


async def register_with_sessions(
    conn: asyncpg.Connection,
    slug: str,
    data: RegistrationIn,
    *,
    now: datetime,
    source: str = "web",
    hooks: Sequence[registrations.RegistrationHook] = (),
) -> tuple[Registration, list[Choice]]:
    """Register and choose sessions in one transaction: a refused choice (overlap, unknown) registers nobody.
    Raises what register_attendee and check_choice raise."""
    if not data.sessions:
        registration = await registrations.register_attendee(conn, slug, data=data, now=now, source=source, hooks=hooks)
        return registration, []
    try:
        async with conn.transaction():
            event = await event_queries.event_by_slug(conn, slug)
            if event is None or event.status == "draft":
                raise NotFound("event_not_found", f"no event {slug!r}")
            await check_choice(conn, event.id, data.sessions)
            registration = await registrations.register_attendee(
                conn, slug, data=data, now=now, source=source, hooks=hooks
            )
            choices = await choose_sessions(conn, registration.id, data.sessions, actor=registrations.PUBLIC, now=now)
    except registrations.AlreadyRegistered:
        await registrations.resend_existing_link(conn, slug, data.email, now)
        raise
    return registration, choices


FAREWELL = "calendar.farewell"


async def on_registration_ended(
    conn: asyncpg.Connection, registration_id: UUID, *, actor: str, now: datetime, erased: bool = False
) -> None:
    """Registration hook (cancelled or erased): its session places pass to the next in line. Before an
    erasure takes the invite rows along, the CANCELs they need are queued with what they must say."""
    if erased:
        sent = await queries.sent_invites(conn, registration_id)
        if sent and sent[0].email is not None:
            first = sent[0]
            await jobs.enqueue(
                conn,
                FAREWELL,
                {
                    "email": first.email,
                    "name": first.name,
                    "language": first.language,
                    "invites": [{"uid": r.uid, "sequence": r.sequence, "sent": r.sent} for r in sent],
                },
                dedupe_key=f"{FAREWELL}:{registration_id}",
            )
    for ended in await queries.delete_choices_of(conn, registration_id):
        if ended.status == "confirmed":
            for promoted in await queries.promote(conn, ended.session_id):
                await request_sync(conn, promoted, reason=f"session-promoted:{ended.session_id}")


EVENT_CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "venue", "address", "status")


async def on_event_changed(conn: asyncpg.Connection, before: Event, after: Event, actor: str, now: datetime) -> None:
    """Event hook: a change a calendar shows bumps the event's SEQUENCE and updates every attendee's invites."""
    if not any(getattr(before, name) != getattr(after, name) for name in EVENT_CALENDAR_FIELDS):
        return
    revision = await queries.bump_event_sequence(conn, after.id)
    await _fanout(conn, after.id, None, revision)


def choice_groups(sessions: Iterable[Session]) -> list[list[Session]]:
    """Choosable sessions grouped into blocks of sessions that overlap one another (connected by overlap),
    in time order: a block with several sessions is one 'choose one' question on a form."""
    groups: list[list[Session]] = []
    for session in sorted((s for s in sessions if s.choosable), key=lambda s: (s.starts_at, s.room, str(s.id))):
        if groups and any(session.overlaps(other) for other in groups[-1]):
            groups[-1].append(session)
        else:
            groups.append([session])
    return groups


def time_blocks(sessions: Iterable[Session]) -> list[tuple[datetime, list[Session]]]:
    """Sessions grouped by start time, for the programme grid: one row per start, rooms side by side."""
    blocks: dict[datetime, list[Session]] = {}
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.kind != "plenary", s.room, str(s.id))):
        blocks.setdefault(session.starts_at, []).append(session)
    return list(blocks.items())


def days_of(blocks: list[tuple[datetime, list[Session]]]) -> list[tuple[date, list[tuple[datetime, list[Session]]]]]:
    """Time blocks grouped by their day in Oslo, for the programme of an event over several days."""
    days: dict[date, list[tuple[datetime, list[Session]]]] = {}
    for block in blocks:
        days.setdefault(block[0].astimezone(OSLO).date(), []).append(block)
    return list(days.items())


def chosen_from_form(form: dict[str, str]) -> list[UUID]:
    """Session ids from a form: radio groups `block-N` (value a session id, or empty) and checkboxes
    `session-<id>`. A malformed id is ignored here and reported by check_choice as unknown."""
    chosen: list[UUID] = []
    for name, value in form.items():
        raw = (
            value if name.startswith("block-") else name.removeprefix("session-") if name.startswith("session-") else ""
        )
        if not raw:
            continue
        try:
            chosen.append(UUID(raw))
        except ValueError:
            raise Invalid("unknown_session", "no such session", field="sessions") from None
    return chosen
