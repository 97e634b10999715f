from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from ..hooks import EVENT_CHANGE_HOOKS, EVENT_CREATE_HOOKS
from ..http import Caller, Config, Conn, Now
from ..openapi import responses
from . import domain
from .schemas import EventIn, EventOut, EventPatch


class EventController(Controller):
    path = "/api/v1/events"
    tags = ["events"]  # noqa: RUF012 - Litestar reads it as an attribute

    @post("/", status_code=201, responses=responses(401, 403, 409, 422))
    async def create(
        self, data: JSONBody[EventIn], conn: Conn, principal: Caller, now: Now, settings: Config
    ) -> EventOut:
        """Create an event (organiser)."""
        event = await domain.create_event(conn, data, actor=principal, now=now, hooks=EVENT_CREATE_HOOKS)
        return EventOut.of(event, now=now, base_url=settings.base_url)

    @get("/", responses=responses(422))
    async def list_events(
        self,
        conn: Conn,
        now: Now,
        settings: Config,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    ) -> list[EventOut]:
        """Upcoming published events with remaining capacity."""
        events = await domain.list_events(conn, now=now, limit=limit, offset=offset)
        return [EventOut.of(e, now=now, base_url=settings.base_url) for e in events]

    @get("/{slug:str}", responses=responses(404))
    async def get_event(self, slug: FromPath[str], conn: Conn, now: Now, settings: Config) -> EventOut:
        """One published event."""
        event = await domain.get_event(conn, slug)
        return EventOut.of(event, now=now, base_url=settings.base_url)

    @patch("/{slug:str}", responses=responses(401, 403, 404, 409, 422))
    async def change(
        self,
        slug: FromPath[str],
        data: JSONBody[EventPatch],
        conn: Conn,
        principal: Caller,
        now: Now,
        settings: Config,
    ) -> EventOut:
        """Change an event (organiser of this event)."""
        event = await domain.update_event(conn, slug, data, actor=principal, now=now, hooks=EVENT_CHANGE_HOOKS)
        return EventOut.of(event, now=now, base_url=settings.base_url)
