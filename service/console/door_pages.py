"""Doors in the console: create a door and show its pairing QR code and link, list the event's doors with
live counts (checked in / expected, refreshing on their own), revoke. Every change goes through
service/checkin/doors; the QR image is the API's /api/v1/doors/{id}/pairing.svg."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath
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

    dependencies = forms.FORM_PAGES

    async def _page(self, console: forms.Console, event: Event, settings: Any, state: forms.State) -> Template:
        found = await doors.list_doors(console.conn, event.id, settings=settings, now=console.now)
        counts = await checkin_queries.counts(console.conn, event.id)
        texts = (DOOR_LABELS, DOOR_ERRORS)
        return console.page(
            "console/doors.html",
            state,
            texts,
            event=event,
            section="doors",
            doors=found,
            counts=counts,
            notice=console.notice,
        )

    @get("/")
    async def doors_page(self, slug: FromPath[str], console: forms.Page, settings: Config) -> Template:
        return await self._page(console, await console.event(slug), settings, ({}, {}))

    @get("/counts")
    async def counts(self, slug: FromPath[str], console: forms.Page, settings: Config) -> Template:
        """The counts and the doors' table alone: what the page refreshes every 10 seconds."""
        event = await console.event(slug)
        found = await doors.list_doors(console.conn, event.id, settings=settings, now=console.now)
        counts = await checkin_queries.counts(console.conn, event.id)
        return console_page(
            console.request, "console/_doors_live.html", console.principal, event=event, doors=found, counts=counts
        )

    @post("/", status_code=303)
    async def create(
        self, slug: FromPath[str], data: forms.FormData, console: forms.Page, settings: Config
    ) -> Response[Any]:
        event = await console.event(slug)

        async def create() -> str:
            name = forms.convert({"name": data.get("name", "").strip()}, DoorIn).name
            door = await doors.create_door(
                console.conn, event, name=name, settings=settings, actor=console.principal, now=console.now
            )
            return f"/console/events/{slug}/doors/{door.id}"

        return await console.submit(create, lambda errors: self._page(console, event, settings, (data, errors)))

    @get("/{door_id:uuid}")
    async def pairing(
        self, slug: FromPath[str], door_id: FromPath[UUID], console: forms.Page, settings: Config
    ) -> Template:
        """One door: its pairing QR code and link while it is unpaired."""
        event = await console.event(slug)
        door = await _door(console.conn, event, door_id, settings, console.now)
        return console_page(
            console.request,
            "console/door.html",
            console.principal,
            event_slug=slug,
            section="doors",
            event=event,
            door=door,
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
