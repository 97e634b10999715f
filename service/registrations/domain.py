"""Registering, the waiting list, cancelling, self-service and the organiser's hand moves.

Capacity is exact because a confirmed registration must hold one of the event's seat rows; the waiting
list is ordered by queue_seq; a freed seat passes to the first waitlisted person in the same transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from .. import audit, jobs
from ..errors import Conflict, Invalid, InvalidState, NotFound
from ..events.schemas import Event
from ..types import localized
from . import queries
from .schemas import PersonPatch, QuestionIn, Registration, RegistrationIn, RegistrationPatch

PUBLIC = "public"
ATTENDEE = "attendee"

# Job kinds (handled in notify.py): one mail per effect, deduplicated per registration.
MAIL_CONFIRMED = "registration.confirmed"
MAIL_WAITLISTED = "registration.waitlisted"
MAIL_PROMOTED = "registration.promoted"
MAIL_CANCELLED = "registration.cancelled"
MAIL_LINK = "registration.link"


# Called inside the transaction that cancels or erases a registration (other domains free what it held);
# callers pass service/hooks.py REGISTRATION_END_HOOKS.
RegistrationEndHook = Callable[..., Awaitable[None]]
# Called in the registering transaction when a registration carries workshop perspectives (service/hooks.py).
RegistrationHook = Callable[[asyncpg.Connection, Registration, RegistrationIn, datetime], Awaitable[None]]


class AlreadyRegistered(Conflict):
    pass


async def _ended(
    conn: asyncpg.Connection,
    registration_id: UUID,
    *,
    hooks: Sequence[RegistrationEndHook],
    actor: str,
    now: datetime,
    erased: bool = False,
) -> None:
    for hook in hooks:
        await hook(conn, registration_id, actor=actor, now=now, erased=erased)


async def _mail(
    conn: asyncpg.Connection, kind: str, registration_id: UUID, *, key: str | None = None, **payload: Any
) -> None:
    dedupe = f"{kind}:{registration_id}" + (f":{key}" if key else "")
    await jobs.enqueue(conn, kind, {"registration_id": str(registration_id), **payload}, dedupe_key=dedupe)


def _check_open(event: queries.EventForRegistration, now: datetime) -> None:
    if event.status == "cancelled":
        raise InvalidState("event_cancelled", "the event is cancelled")
    if event.status != "published":
        raise NotFound("event_not_found", "no such event")
    if now >= event.ends_at:
        raise InvalidState("event_over", "the event is over")
    if event.registration_paused:
        raise InvalidState("registration_closed", "registration is closed by the organiser")
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and now < opens:
        raise InvalidState(
            "registration_not_open", f"registration opens at {opens.isoformat()}", opens_at=opens.isoformat()
        )
    if closes and now >= closes:
        raise InvalidState(
            "registration_closed", f"registration closed at {closes.isoformat()}", closed_at=closes.isoformat()
        )


def check_answers(questions: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    """Answers keyed by question id, checked against each question's kind. Raises Invalid."""
    by_id = {str(q["id"]): q for q in questions}
    for key in answers:
        if key not in by_id:
            raise Invalid("unknown_question", f"no question {key!r}", field=f"answers.{key}")
    clean: dict[str, Any] = {}
    for key, question in by_id.items():
        value = answers.get(key)
        if value is None or value == "":
            if question["required"]:
                raise Invalid("answer_required", "this question must be answered", field=f"answers.{key}")
            continue
        if question["kind"] == "yes_no" and not isinstance(value, bool):
            raise Invalid("invalid_answer", "answer yes (true) or no (false)", field=f"answers.{key}")
        if question["kind"] == "text" and not isinstance(value, str):
            raise Invalid("invalid_answer", "answer with text", field=f"answers.{key}")
        if question["kind"] == "choice":
            allowed = [c.get("nb") for c in question["choices"]]
            if value not in allowed:
                raise Invalid("invalid_answer", "choose one of the given choices", field=f"answers.{key}")
        clean[key] = value
    return clean


async def register_attendee(
    conn: asyncpg.Connection,
    slug: str,
    *,
    data: RegistrationIn,
    now: datetime,
    source: str = "web",
    hooks: Sequence[RegistrationHook] = (),
) -> Registration:
    """Register for an event: confirmed while a seat is free, else waitlisted.

    Raises NotFound, InvalidState (window, cancelled), Invalid, AlreadyRegistered — the last after
    committing a job that mails the existing manage link to the address. Not idempotent by itself:
    callers pass Idempotency-Key handling around it. With perspectives, the hooks run in the same transaction.
    """
    if hooks and data.perspectives is not None:
        try:
            async with conn.transaction():
                registration = await register_attendee(conn, slug, data=data, now=now, source=source)
                for hook in hooks:
                    await hook(conn, registration, data, now)
            return registration
        except AlreadyRegistered:
            await resend_existing_link(conn, slug, data.email, now)
            raise
    if not data.accept_privacy:
        raise Invalid("privacy_not_accepted", "the privacy notice must be accepted", field="accept_privacy")
    values = registration_values(data, source)
    if not data.answers:
        row = await queries.register_by_slug(conn, slug, {**values, "answers": {}}, now)
        if row is not None:
            return await _registered(conn, row, values, now=now, source=source)
    # The checked path: read the event to say exactly why a registration cannot be taken, check answers.
    event = await queries.event_for_registration(conn, slug)
    if event is None:
        raise NotFound("event_not_found", f"no event {slug!r}")
    _check_open(event, now)
    values["answers"] = check_answers(event.questions, data.answers)
    row = await queries.register(conn, event.id, values, now)
    if row is None:
        await _refuse_duplicate(conn, event.id, values["email"], now)
        # Not a duplicate: the event changed between reading and writing; the next read tells how.
        return await register_attendee(conn, slug, data=data, now=now, source=source)
    return await _registered(conn, row, values, now=now, source=source)


async def resend_existing_link(conn: asyncpg.Connection, slug: str, email: str, now: datetime) -> None:
    """For a caller whose transaction around register_attendee rolled back on AlreadyRegistered (and took the
    mail with the existing link along): enqueue that mail again, outside the rolled-back transaction."""
    event = await queries.event_for_registration(conn, slug)
    if event is None:
        return
    with contextlib.suppress(AlreadyRegistered):  # the mail is enqueued; the caller raises its own
        await _refuse_duplicate(conn, event.id, email.strip(), now)


def registration_values(data: RegistrationIn, source: str) -> dict[str, Any]:
    """The values a registration is stored with (queries.register and the like): the input, tidied."""
    values = msgspec.structs.asdict(data)
    values["name"] = " ".join(data.name.split())
    values["email"] = data.email.strip()
    values["source"] = source
    del values["sessions"]  # chosen through the programme, after the registration exists
    return values


async def _registered(
    conn: asyncpg.Connection, row: queries.Registered, values: dict[str, Any], *, now: datetime, source: str
) -> Registration:
    if row.seat_may_be_free:
        return await promote_waiting(conn, row, now=now)
    return as_registration(row, values, now=now, source=source)


async def promote_waiting(conn: asyncpg.Connection, row: queries.Registered, *, now: datetime) -> Registration:
    """For a registration put on the waiting list while a seat looked taken by another still in flight (row
    .seat_may_be_free): move the list into whatever seats are free, and read the registration as it stands."""
    async with conn.transaction():
        await fill_free_seats(conn, row.event_id, actor=PUBLIC, now=now)
    registration = await queries.registration_by_id(conn, row.id)
    assert registration is not None
    return registration


def as_registration(row: queries.Registered, values: dict[str, Any], *, now: datetime, source: str) -> Registration:
    """The registration the statement made of `values` at `now` (what it answered and what it was given)."""
    confirmed = row.status == "confirmed"
    return Registration(
        id=row.id,
        event_id=row.event_id,
        status=row.status,
        name=values["name"],
        email=values["email"],
        organisation=values["organisation"],
        role=values["role"],
        dietary=values["dietary"],
        accessibility=values["accessibility"],
        language=values["language"],
        answers=values.get("answers", {}),
        queue_seq=row.queue_seq,
        link_version=row.link_version,
        source=source,
        created_at=now,
        updated_at=now,
        confirmed_at=now if confirmed else None,
        cancelled_at=None,
        waitlist_position=row.position,
    )


async def _refuse_duplicate(conn: asyncpg.Connection, event_id: UUID, email: str, now: datetime) -> None:
    """Raise AlreadyRegistered (after mailing the existing link) if the address is registered."""
    async with conn.transaction():
        existing = await queries.active_by_email(conn, event_id, email)
        if existing is None:
            return
        # At most one reminder mail per registration per hour, however often someone retries.
        await _mail(conn, MAIL_LINK, existing.id, key=now.strftime("%Y%m%d%H"))
    raise AlreadyRegistered(
        "already_registered",
        "this e-mail address is already registered; we have sent the link to manage it to that address",
        field="email",
    )


async def get_registration(conn: asyncpg.Connection, registration_id: UUID) -> Registration:
    registration = await queries.registration_by_id(conn, registration_id)
    if registration is None:
        raise NotFound("registration_not_found", "no such registration")
    return registration


async def _promote_into_seat_of(
    conn: asyncpg.Connection, event_id: UUID, freed_by: UUID, *, actor: str, now: datetime
) -> UUID | None:
    """Give the seat held by `freed_by` to the first waitlisted person, or free it. Returns who got it."""
    next_id = await queries.next_waitlisted(conn, event_id)
    if next_id is None:
        await queries.free_seat_of(conn, freed_by)
        return None
    await queries.move_seat(conn, freed_by, next_id)
    await queries.confirm(conn, next_id, now)
    await queries.history(conn, next_id, now, actor, "registration.promoted")
    await _mail(conn, MAIL_PROMOTED, next_id)
    return next_id


async def fill_free_seats(conn: asyncpg.Connection, event_id: UUID, *, actor: str, now: datetime) -> list[UUID]:
    """Move waitlisted people into free seats, in list order. Returns those promoted. Call in a transaction."""
    promoted: list[UUID] = []
    while await queries.has_free_seat(conn, event_id):
        seat = await queries.free_seat_locked(conn, event_id)
        if seat is None:
            continue  # the seat we waited for was taken meanwhile; look again
        next_id = await queries.next_waitlisted(conn, event_id)
        if next_id is None:
            break
        await queries.give_seat(conn, seat, next_id)
        await queries.confirm(conn, next_id, now)
        await queries.history(conn, next_id, now, actor, "registration.promoted")
        await _mail(conn, MAIL_PROMOTED, next_id)
        promoted.append(next_id)
    return promoted


async def cancel_registration(
    conn: asyncpg.Connection,
    registration_id: UUID,
    *,
    actor: str,
    now: datetime,
    end_hooks: Sequence[RegistrationEndHook],
    notify: bool = True,
    reason: str = "",
) -> Registration:
    """Cancel (or leave the waiting list); a freed seat goes to the next in line at once.

    Raises NotFound, InvalidState (already_cancelled). Repeating it is refused, never doubled.
    """
    async with conn.transaction():
        registration = await queries.registration_for_update(conn, registration_id)
        if registration is None:
            raise NotFound("registration_not_found", "no such registration")
        if registration.status == "cancelled":
            raise InvalidState("already_cancelled", "the registration is already cancelled")
        await queries.cancel(conn, registration_id, now)
        await _ended(conn, registration_id, hooks=end_hooks, actor=actor, now=now)
        await queries.history(
            conn,
            registration_id,
            now,
            actor,
            "registration.cancelled",
            {"was": registration.status, **({"reason": reason} if reason else {})},
        )
        if registration.status == "confirmed":
            await _promote_into_seat_of(conn, registration.event_id, registration_id, actor=actor, now=now)
        if notify:
            await _mail(conn, MAIL_CANCELLED, registration_id)
        result = await queries.registration_by_id(conn, registration_id)
    assert result is not None
    return result


class EventFull(Conflict):
    """The event has no free seat and the organiser did not say what to do (over capacity, or waiting list)."""


async def place_by_hand(
    conn: asyncpg.Connection,
    registration_id: UUID,
    event_id: UUID,
    *,
    over_capacity: bool,
    waitlist: bool,
    now: datetime,
) -> bool:
    """Give a waitlisted-and-unnumbered registration (added by hand or moved) a free seat, else: a seat of its
    own beyond capacity (the capacity grows by one, as when confirming from the list) when `over_capacity`, a
    waiting-list number when `waitlist`, or EventFull. Returns whether the capacity grew. Call in a transaction;
    on EventFull the caller's transaction rolls back and nothing is written."""
    if await queries.claim_seat(conn, event_id, registration_id):
        await queries.confirm(conn, registration_id, now)
        return False
    if over_capacity:
        await queries.add_seat_for(conn, event_id, registration_id)
        await queries.confirm(conn, registration_id, now)
        return True
    if waitlist:
        await queries.waitlist(conn, registration_id, now)
        return False
    raise EventFull(
        "event_full",
        'the event is full: send "over_capacity": true to confirm beyond capacity, or "waitlist": true to put '
        "the person on the waiting list",
    )


async def mail_status(conn: asyncpg.Connection, registration: Registration, *, key: str) -> bool:
    """Queue the mail that says where the person stands (confirmed, with the ticket; or on the waiting list),
    once per `key`. Nothing for a registration without an address or a cancelled one. Returns whether queued."""
    if registration.email is None or registration.status == "cancelled":
        return False
    kind = MAIL_CONFIRMED if registration.status == "confirmed" else MAIL_WAITLISTED
    await _mail(conn, kind, registration.id, key=key)
    return True


async def move_registration(
    conn: asyncpg.Connection,
    registration_id: UUID,
    target: Event,
    *,
    over_capacity: bool,
    waitlist: bool,
    actor: str,
    now: datetime,
    end_hooks: Sequence[RegistrationEndHook],
) -> tuple[Registration, bool]:
    """Move a registration to another event of the same series: its seat (or place in line) at the old event
    passes on, its session choices and group places there end, and it takes a seat at the new one by
    place_by_hand's rules; the person gets the mail of their new standing. Returns it and whether the capacity
    grew. Raises NotFound, InvalidState (cancelled), Invalid (not_same_series), AlreadyRegistered, EventFull
    (nothing changed then)."""
    async with conn.transaction():
        registration = await queries.registration_for_update(conn, registration_id)
        if registration is None:
            raise NotFound("registration_not_found", "no such registration")
        if registration.status == "cancelled":
            raise InvalidState("not_cancellable", "a cancelled registration cannot be moved")
        series = await queries.series_of(conn, registration.event_id)
        if target.id == registration.event_id or series is None or series != target.series:
            raise Invalid("not_same_series", "move only to another event of the same series", field="event")
        if target.status == "cancelled":
            raise InvalidState("event_cancelled", "the event is cancelled")
        if registration.email is not None and await queries.active_by_email(conn, target.id, registration.email):
            raise AlreadyRegistered(
                "already_registered", "this e-mail address is registered for that event already", field="email"
            )
        await _ended(conn, registration_id, hooks=end_hooks, actor=actor, now=now)
        await queries.leave_groups(conn, registration_id)
        if registration.status == "confirmed":
            await _promote_into_seat_of(conn, registration.event_id, registration_id, actor=actor, now=now)
        await queries.move_to_event(conn, registration_id, target.id, now)
        grown = await place_by_hand(
            conn, registration_id, target.id, over_capacity=over_capacity, waitlist=waitlist, now=now
        )
        moved = await queries.registration_by_id(conn, registration_id)
        assert moved is not None
        await queries.history(
            conn,
            registration_id,
            now,
            actor,
            "registration.moved",
            {"from": str(registration.event_id), "to": target.slug, "status": moved.status, "capacity_grown": grown},
        )
        await mail_status(conn, moved, key=f"moved:{target.id}:{now.isoformat()}")
    return moved, grown


async def confirm_from_waitlist(
    conn: asyncpg.Connection, registration_id: UUID, *, actor: str, now: datetime
) -> Registration:
    """Organiser moves one waitlisted person into a seat, ahead of the list. With no seat free, the event's
    capacity grows by one for them (capacity stays exact). Raises NotFound, InvalidState (not_waitlisted)."""
    async with conn.transaction():
        registration = await queries.registration_for_update(conn, registration_id)
        if registration is None:
            raise NotFound("registration_not_found", "no such registration")
        if registration.status != "waitlisted":
            raise InvalidState("not_waitlisted", "only a waitlisted registration can be moved into a seat")
        grown = await place_by_hand(
            conn, registration_id, registration.event_id, over_capacity=True, waitlist=False, now=now
        )
        await queries.history(
            conn, registration_id, now, actor, "registration.confirmed_by_organiser", {"capacity_grown": grown}
        )
        await _mail(conn, MAIL_PROMOTED, registration_id)
        result = await queries.registration_by_id(conn, registration_id)
    assert result is not None
    return result


async def update_registration(
    conn: asyncpg.Connection,
    registration_id: UUID,
    patch: RegistrationPatch | PersonPatch,
    *,
    actor: str,
    now: datetime,
) -> Registration:
    """Change an attendee's own answers (RegistrationPatch), or any field by an organiser's hand (PersonPatch: also
    the address and the note). Raises NotFound, InvalidState (cancelled), Invalid, AlreadyRegistered (the new
    address is registered for the event already)."""
    changes = {
        name: getattr(patch, name)
        for name in patch.__struct_fields__
        if getattr(patch, name) is not msgspec.UNSET and name != "sessions"  # sessions: the programme's
    }
    async with conn.transaction():
        registration = await queries.registration_for_update(conn, registration_id)
        if registration is None:
            raise NotFound("registration_not_found", "no such registration")
        if registration.status == "cancelled":
            raise InvalidState("not_cancellable", "a cancelled registration cannot be changed")
        if "name" in changes:
            changes["name"] = " ".join(changes["name"].split())
        if "answers" in changes:
            questions = await queries.questions(conn, registration.event_id)
            merged = {**registration.answers, **changes["answers"]}
            changes["answers"] = check_answers([msgspec.structs.asdict(q) for q in questions], merged)
        if "email" in changes:
            email = changes["email"].strip() if changes["email"] else None
            if email == registration.email:
                del changes["email"]
            else:
                try:
                    async with conn.transaction():
                        await queries.set_email(conn, registration_id, email, now)
                except asyncpg.UniqueViolationError as error:
                    if error.constraint_name != "registrations_event_email_key":
                        raise
                    raise AlreadyRegistered(
                        "already_registered", "this e-mail address is registered for the event already", field="email"
                    ) from None
        if changes:
            await queries.update_fields(conn, registration_id, changes, now)
            await queries.history(
                conn, registration_id, now, actor, "registration.changed", {"fields": sorted(changes)}
            )
        result = await queries.registration_by_id(conn, registration_id)
    assert result is not None
    return result


async def delete_registration(
    conn: asyncpg.Connection,
    registration_id: UUID,
    *,
    now: datetime,
    end_hooks: Sequence[RegistrationEndHook],
    actor: str = ATTENDEE,
) -> None:
    """Erase a registration and its personal data (the attendee, or an administrator's erasure of a person);
    a held seat passes on first. Raises NotFound."""
    async with conn.transaction():
        registration = await queries.registration_for_update(conn, registration_id)
        if registration is None:
            raise NotFound("registration_not_found", "no such registration")
        if registration.status == "confirmed":
            await _promote_into_seat_of(conn, registration.event_id, registration_id, actor=actor, now=now)
        await _ended(conn, registration_id, hooks=end_hooks, actor=actor, now=now, erased=True)
        await queries.delete_registration(conn, registration_id)
        await audit.record(
            conn,
            "registration.erased",
            actor=actor,
            event_id=registration.event_id,
            data={"status": registration.status},
        )


async def on_event_changed(
    conn: asyncpg.Connection,
    before: Event,
    after: Event,
    actor: str,
    now: datetime,
    *,
    end_hooks: Sequence[RegistrationEndHook],
) -> None:
    """Event hook (wired with its end hooks in service/hooks.py): more capacity promotes from the waiting
    list; a cancelled event cancels everyone."""
    if after.status == "cancelled" and before.status != "cancelled":
        for registration_id in await queries.active_of_event(conn, after.id):
            await queries.cancel(conn, registration_id, now)
            await queries.free_seat_of(conn, registration_id)
            await _ended(conn, registration_id, hooks=end_hooks, actor=actor, now=now)
            await queries.history(
                conn, registration_id, now, actor, "registration.cancelled", {"reason": "event_cancelled"}
            )
            await _mail(conn, MAIL_CANCELLED, registration_id, reason="event_cancelled")
        return
    if after.capacity > before.capacity:
        await fill_free_seats(conn, after.id, actor=actor, now=now)


async def add_question(conn: asyncpg.Connection, event_id: UUID, data: QuestionIn) -> Any:
    """Add a custom question (at most 10 per event). Raises Invalid."""
    if data.kind == "choice" and len(data.choices) < 2:
        raise Invalid("invalid_question", "a choice question needs at least two choices", field="choices")
    if data.kind != "choice" and data.choices:
        raise Invalid("invalid_question", "only choice questions have choices", field="choices")

    async with conn.transaction():
        await queries.lock_questions(conn, event_id)
        if await queries.count_questions(conn, event_id) >= 10:
            raise Conflict("too_many_questions", "an event can have at most 10 custom questions")
        return await queries.insert_question(
            conn, event_id, data.kind, localized(data.label), [localized(c) for c in data.choices], data.required
        )


async def delete_question(conn: asyncpg.Connection, event_id: UUID, question_id: UUID) -> None:
    """Remove a custom question; answers already given stay with the registrations. Raises NotFound (also when
    it was removed before)."""
    if not await queries.delete_question(conn, event_id, question_id):
        raise NotFound("not_found", "no such question")
