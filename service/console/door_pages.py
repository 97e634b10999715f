"""Doors in the console: create a door and show its pairing QR code and link, list the event's doors with
live counts (checked in / expected, refreshing on their own), revoke. Every change goes through
service/checkin/doors; the QR image is the API's /api/v1/doors/{id}/pairing.svg."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from ..checkin import doors
from ..checkin import queries as checkin_queries
from ..checkin.schemas import Door, DoorIn
from ..errors import NotFound
from ..events import domain as events
from ..events.schemas import Event
from ..http import Caller, Config, Conn, Now
from . import forms
from .guard import ORGANISER, console_page

DOOR_LABELS = {"name": "Name of the door", "form": "The form"}
DOOR_ERRORS = {
    **forms.ERROR_TEXTS,
    "door_name_taken": "The event already has a door with this name.",
}


async def _door(conn: Conn, event: Event, door_id: UUID, settings: Any, now: Any) -> Door:
    if await doors.door_event(conn, door_id) != event.id:
        raise NotFound("door_not_found", "no such door")
    return await doors.get_door(conn, door_id, settings=settings, now=now)


class DoorPages(Controller):
    path = "/console/events/{slug:str}/doors"
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Any,
        event: Event,
        settings: Any,
        now: Any,
        *,
        values: dict[str, str],
        errors: dict[str, str],
    ) -> Template:
        return forms.form_page(
            request,
            "console/doors.html",
            principal,
            values=values,
            errors=errors,
            labels=DOOR_LABELS,
            texts=DOOR_ERRORS,
            event_slug=event.slug,
            section="doors",
            event=event,
            doors=await doors.list_doors(conn, event.id, settings=settings, now=now),
            counts=await checkin_queries.counts(conn, event.id),
            notice=request.query_params.get("notice"),
        )

    @get("/")
    async def doors_page(
        self,
        slug: FromPath[str],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
        settings: Config,
    ) -> Template:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await self._page(request, conn, principal, event, settings, now, values={}, errors={})

    @get("/counts")
    async def counts(
        self,
        slug: FromPath[str],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
        settings: Config,
    ) -> Template:
        """The counts and the doors' table alone: what the page refreshes every 10 seconds."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return console_page(
            request,
            "console/_doors_live.html",
            principal,
            event=event,
            doors=await doors.list_doors(conn, event.id, settings=settings, now=now),
            counts=await checkin_queries.counts(conn, event.id),
            now=now,
        )

    @post("/", status_code=303)
    async def create(
        self,
        slug: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
        settings: Config,
    ) -> Response[Any]:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)

        async def create() -> str:
            body = forms.convert({"name": data.get("name", "").strip()}, DoorIn)
            door = await doors.create_door(conn, event, name=body.name, settings=settings, actor=principal, now=now)
            return f"/console/events/{slug}/doors/{door.id}"

        return await forms.submit(
            create,
            lambda errors: self._page(request, conn, principal, event, settings, now, values=data, errors=errors),
        )

    @get("/{door_id:uuid}")
    async def pairing(
        self,
        slug: FromPath[str],
        door_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
        settings: Config,
    ) -> Template:
        """One door: its pairing QR code and link while it is unpaired."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        door = await _door(conn, event, door_id, settings, now)
        return console_page(
            request, "console/door.html", principal, event_slug=slug, section="doors", event=event, door=door
        )

    @post("/{door_id:uuid}/revoke", status_code=303)
    async def revoke(
        self,
        slug: FromPath[str],
        door_id: FromPath[UUID],
        conn: Conn,
        principal: Caller,
        now: Now,
        settings: Config,
    ) -> Redirect:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        await _door(conn, event, door_id, settings, now)
        await doors.revoke_door(conn, door_id, settings=settings, actor=principal, now=now)
        return Redirect(f"/console/events/{slug}/doors?notice=revoked", status_code=303)
