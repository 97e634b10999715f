"""The people API: one person of an event by an organiser's hand (organisers of the event and administrators)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, patch, post
from litestar.params import FromPath, JSONBody

from .. import idempotency
from ..events import domain as events
from ..hooks import REGISTRATION_END_HOOKS
from ..http import Caller, Conn, Now
from ..openapi import responses
from ..registrations import queries as registration_queries
from ..registrations.routes import row
from ..registrations.schemas import MoveIn, PersonIn, PersonPatch, RegistrationRow
from . import domain

ORGANISER = ("organiser",)
PERSON = "/api/v1/events/{slug:str}/people/{registration_id:uuid}"


class TicketResent(msgspec.Struct, kw_only=True):
    status: Literal["queued"] = "queued"


async def _person(conn: Conn, registration_id: UUID) -> RegistrationRow:
    registration = await registration_queries.registration_by_id(conn, registration_id)
    assert registration is not None
    admissions = await registration_queries.admissions_of(conn, [registration_id])
    return row(registration, admissions.get(registration_id))


class PeopleController(Controller):
    """Every route: the organiser of the event (or an administrator); every change is in the audit log."""

    tags = ["people"]  # noqa: RUF012 - Litestar reads it as an attribute

    @post("/api/v1/events/{slug:str}/people", status_code=201, responses=responses(401, 403, 404, 409, 422))
    async def add(
        self,
        slug: FromPath[str],
        data: JSONBody[PersonIn],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
        idempotency_key: idempotency.Key = None,
    ) -> Response[RegistrationRow]:
        """Add a person by hand (e-mail optional; `source` `organiser`, `public` or `door`). A free seat confirms
        them. On a full event the answer is 409 `event_full` and nothing is stored, unless the body says what to
        do: `"over_capacity": true` confirms them beyond capacity (the capacity grows by one),
        `"waitlist": true` puts them on the waiting list. A mail goes only to a person with an address. Honours
        `Idempotency-Key`."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)

        async def action() -> tuple[int, bytes]:
            added = await domain.add_person(conn, event, data, actor=principal.actor, now=now)
            return 201, msgspec.json.encode(await _person(conn, added.id))

        return await idempotency.respond(
            request, conn, principal=f"{principal.actor}:people:{slug}", key=idempotency_key, action=action
        )

    @patch(PERSON, responses=responses(401, 403, 404, 409, 422))
    async def edit(
        self,
        slug: FromPath[str],
        registration_id: FromPath[UUID],
        data: JSONBody[PersonPatch],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> RegistrationRow:
        """Change any field: name, email (`null` removes it), organisation, role, dietary, accessibility,
        language, answers, sessions (the whole set), note."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        await domain.edit_person(conn, event, registration_id, data, actor=principal.actor, now=now)
        return await _person(conn, registration_id)

    @post(f"{PERSON}/resend-ticket", status_code=202, responses=responses(401, 403, 404, 409))
    async def resend_ticket(
        self, slug: FromPath[str], registration_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now
    ) -> TicketResent:
        """Send the person's mail again: the ticket when confirmed, the waiting-list mail when waitlisted.
        409 `no_email` for a person without an address."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        await domain.resend_ticket(conn, event, registration_id, actor=principal.actor, now=now)
        return TicketResent()

    @post(f"{PERSON}/new-links", status_code=200, responses=responses(401, 403, 404))
    async def new_links(
        self, slug: FromPath[str], registration_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now
    ) -> RegistrationRow:
        """New ticket, manage and calendar links: the old ones stop working at once; the new ones are mailed to
        the person's own address (when there is one)."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        await domain.new_links(conn, event, registration_id, actor=principal.actor, now=now)
        return await _person(conn, registration_id)

    @post(f"{PERSON}/move", status_code=200, responses=responses(401, 403, 404, 409, 422))
    async def move(
        self,
        slug: FromPath[str],
        registration_id: FromPath[UUID],
        data: JSONBody[MoveIn],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> RegistrationRow:
        """Move the person to another event of the same series (the caller organises both). Their sessions of
        this event are dropped; capacity there as for adding: 409 `event_full` unless `over_capacity` or
        `waitlist` says what to do."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        target = await events.get_event_for_actor(conn, data.event, principal, *ORGANISER)
        await domain.move_person(
            conn,
            event,
            registration_id,
            target,
            over_capacity=data.over_capacity,
            waitlist=data.waitlist,
            actor=principal.actor,
            now=now,
            end_hooks=REGISTRATION_END_HOOKS,
        )
        return await _person(conn, registration_id)

    @delete(PERSON, status_code=204, responses=responses(401, 403, 404))
    async def erase(
        self, slug: FromPath[str], registration_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now
    ) -> None:
        """Erase the person's registration for this event and its data, on their request (a held seat passes
        to the first on the waiting list). Their registrations for other events stay."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        await domain.erase_person(
            conn, event, registration_id, actor=principal.actor, now=now, end_hooks=REGISTRATION_END_HOOKS
        )


PEOPLE_ROUTES = [PeopleController]
