"""People by hand: what an organiser does to one person of their event (issue 18, item 2), and the door's
walk-in registration (item 3) through the same `add_person`.

Adding, editing, re-sending the ticket mail, new links, moving within a series and erasing, each in one
transaction with its audit entry. The seat rules are the registration domain's (`place_by_hand`, claiming seat
rows), the session rules the programme's (`choose_sessions`), erasure the privacy domain's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from .. import audit
from ..errors import InvalidState, NotFound
from ..events.schemas import Event
from ..privacy.erase import erase_registration
from ..programme import domain as programme
from ..registrations import domain as registrations
from ..registrations import queries as registration_queries
from ..registrations import renew
from ..registrations.domain import AlreadyRegistered, RegistrationEndHook, check_answers
from ..registrations.schemas import PersonIn, PersonPatch, Registration

ADDED = "registration.added"
EDITED = "registration.edited"
TICKET_RESENT = "registration.ticket_resent"
LINKS_RENEWED = "registration.links_renewed"
MOVED = "registration.moved"


async def registration_of_event(conn: asyncpg.Connection, event: Event, registration_id: UUID) -> Registration:
    """The registration, when it belongs to the event. Raises NotFound."""
    registration = await registration_queries.registration_by_id(conn, registration_id)
    if registration is None or registration.event_id != event.id:
        raise NotFound("registration_not_found", "no such registration in this event")
    return registration


async def add_person(
    conn: asyncpg.Connection, event: Event, data: PersonIn, *, actor: str, now: datetime
) -> Registration:
    """Register a person by hand: a free seat if there is one, else beyond capacity (`over_capacity`), on the
    waiting list (`waitlist`) or EventFull; the sessions are chosen in the same transaction; a mail only when
    there is an address. Raises InvalidState (event_cancelled), Invalid (answers, sessions), AlreadyRegistered
    (the address is registered for the event; no mail), EventFull. Nothing is written when it raises."""
    if event.status == "cancelled":
        raise InvalidState("event_cancelled", "the event is cancelled")
    values: dict[str, Any] = {
        "name": " ".join(data.name.split()),
        "email": data.email.strip() if data.email else None,
        "organisation": data.organisation,
        "role": data.role,
        "dietary": data.dietary,
        "accessibility": data.accessibility,
        "language": data.language,
        "source": data.source,
        "note": data.note,
    }
    questions = await registration_queries.questions(conn, event.id)
    # An organiser may not know every answer: required questions are left open, given answers are checked.
    optional = [{**msgspec.structs.asdict(q), "required": False} for q in questions]
    values["answers"] = check_answers(optional, data.answers)
    async with conn.transaction():
        registration_id = await registration_queries.insert_by_hand(conn, event.id, values, now)
        if registration_id is None:
            raise AlreadyRegistered(
                "already_registered", "this e-mail address is registered for the event already", field="email"
            )
        grown = await registrations.place_by_hand(
            conn, registration_id, event.id, over_capacity=data.over_capacity, waitlist=data.waitlist, now=now
        )
        if data.sessions:
            await programme.choose_sessions(conn, registration_id, data.sessions, actor=actor, now=now)
        registration = await registrations.get_registration(conn, registration_id)
        await registration_queries.history(
            conn, registration_id, now, actor, ADDED, {"source": data.source, "capacity_grown": grown}
        )
        await registrations.mail_status(conn, registration, key="added")
        await audit.record(
            conn,
            ADDED,
            actor=actor,
            event_id=event.id,
            at=now,
            data={
                "registration_id": str(registration_id),
                "source": data.source,
                "status": registration.status,
                "capacity_grown": grown,
                "with_email": registration.email is not None,
            },
        )
    return registration


async def edit_person(
    conn: asyncpg.Connection, event: Event, registration_id: UUID, patch: PersonPatch, *, actor: str, now: datetime
) -> Registration:
    """Change any of a person's fields (sessions through the programme's rules). Raises NotFound, InvalidState
    (cancelled), Invalid, AlreadyRegistered. Nothing changes when it raises."""
    await registration_of_event(conn, event, registration_id)
    fields = sorted(name for name in patch.__struct_fields__ if getattr(patch, name) is not msgspec.UNSET)
    async with conn.transaction():
        updated = await registrations.update_registration(conn, registration_id, patch, actor=actor, now=now)
        if patch.sessions is not msgspec.UNSET:
            await programme.choose_sessions(conn, registration_id, patch.sessions, actor=actor, now=now)
        await audit.record(
            conn,
            EDITED,
            actor=actor,
            event_id=event.id,
            at=now,
            data={"registration_id": str(registration_id), "fields": fields},
        )
    return updated


async def resend_ticket(
    conn: asyncpg.Connection, event: Event, registration_id: UUID, *, actor: str, now: datetime
) -> Registration:
    """Queue the mail of the person's standing again (the ticket when confirmed). Raises NotFound,
    InvalidState (no_email, not_cancellable)."""
    async with conn.transaction():
        registration = await registration_of_event(conn, event, registration_id)
        if registration.status == "cancelled":
            raise InvalidState("not_cancellable", "the registration is cancelled; there is no ticket to send")
        if registration.email is None:
            raise InvalidState("no_email", "the person has no e-mail address; add one first", field="email")
        await registrations.mail_status(conn, registration, key=f"resent:{now.isoformat()}")
        await registration_queries.history(conn, registration_id, now, actor, TICKET_RESENT)
        await audit.record(
            conn,
            TICKET_RESENT,
            actor=actor,
            event_id=event.id,
            at=now,
            data={"registration_id": str(registration_id), "status": registration.status},
        )
    return registration


async def new_links(
    conn: asyncpg.Connection, event: Event, registration_id: UUID, *, actor: str, now: datetime
) -> Registration:
    """Revoke the person's links and mail new ones (to their address, if any). Raises NotFound."""
    await registration_of_event(conn, event, registration_id)
    async with conn.transaction():
        renewed = await renew.renew_links(conn, registration_id, actor=actor, now=now)
        await audit.record(
            conn,
            LINKS_RENEWED,
            actor=actor,
            event_id=event.id,
            at=now,
            data={"registration_id": str(registration_id), "link_version": renewed.link_version},
        )
    return renewed


async def move_person(
    conn: asyncpg.Connection,
    event: Event,
    registration_id: UUID,
    target: Event,
    *,
    over_capacity: bool,
    waitlist: bool,
    actor: str,
    now: datetime,
    end_hooks: Sequence[RegistrationEndHook],
) -> Registration:
    """Move a person to another event of the series (registrations.move_registration's rules), audited on
    both events. Raises what move_registration raises; nothing changes then."""
    await registration_of_event(conn, event, registration_id)
    async with conn.transaction():
        moved, grown = await registrations.move_registration(
            conn,
            registration_id,
            target,
            over_capacity=over_capacity,
            waitlist=waitlist,
            actor=actor,
            now=now,
            end_hooks=end_hooks,
        )
        data = {
            "registration_id": str(registration_id),
            "from": event.slug,
            "to": target.slug,
            "status": moved.status,
            "capacity_grown": grown,
        }
        for event_id in (event.id, target.id):
            await audit.record(conn, MOVED, actor=actor, event_id=event_id, at=now, data=data)
    return moved


async def erase_person(
    conn: asyncpg.Connection,
    event: Event,
    registration_id: UUID,
    *,
    actor: str,
    now: datetime,
    end_hooks: Sequence[RegistrationEndHook],
) -> None:
    """Erase the person's registration for this event and what hangs off it, on their request (the privacy
    domain's erasure of one registration; audited there). Raises NotFound."""
    await registration_of_event(conn, event, registration_id)
    await erase_registration(conn, registration_id, actor=actor, now=now, end_hooks=end_hooks)
