"""The programme API and the calendar feeds."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from integrations.calendar import CalendarFile

from ..events import domain as events
from ..http import Caller, Config, Conn, Now
from ..openapi import responses
from . import domain, feeds
from .schemas import SessionIn, SessionOut, SessionPatch

ORGANISER = ("organiser",)


class SessionController(Controller):
    tags = ["programme"]  # noqa: RUF012 - Litestar reads it as an attribute

    @get("/api/v1/events/{slug:str}/sessions", responses=responses(404))
    async def list_sessions(self, slug: FromPath[str], conn: Conn) -> list[SessionOut]:
        """The programme of a published event, in time order, with places left in sessions that have a capacity."""
        event = await events.get_event(conn, slug)
        return [SessionOut.of(s) for s in await domain.list_sessions(conn, event.id)]

    @post("/api/v1/events/{slug:str}/sessions", status_code=201, responses=responses(401, 403, 404, 409, 422))
    async def create(
        self, slug: FromPath[str], data: JSONBody[SessionIn], conn: Conn, principal: Caller, now: Now
    ) -> SessionOut:
        """Add a session (organiser of the event)."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return SessionOut.of(await domain.create_session(conn, event.id, data, actor=principal, now=now))

    @patch("/api/v1/sessions/{session_id:uuid}", responses=responses(401, 403, 404, 409, 422))
    async def change(
        self, session_id: FromPath[UUID], data: JSONBody[SessionPatch], conn: Conn, principal: Caller, now: Now
    ) -> SessionOut:
        """Change a session; a new time, room or title updates the calendar of everyone affected."""
        return SessionOut.of(await domain.update_session(conn, session_id, data, actor=principal, now=now))

    @post("/api/v1/sessions/{session_id:uuid}/cancel", status_code=200, responses=responses(401, 403, 404, 409))
    async def cancel(self, session_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now) -> SessionOut:
        """Cancel a session: it stays in the programme as cancelled; attendees' calendars get a cancellation."""
        return SessionOut.of(await domain.cancel_session(conn, session_id, actor=principal, now=now))


def _calendar_response(request: Request[Any, Any, Any], feed: CalendarFile, filename: str) -> Response[bytes]:
    headers = {
        "etag": feed.etag,
        "cache-control": "private, max-age=300",
        "content-disposition": f'inline; filename="{filename}"',
    }
    if feed.etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(b"", status_code=304, headers=headers)
    return Response(feed.body, media_type="text/calendar", headers=headers)


@get("/events/{slug:str}/calendar.ics", include_in_schema=True, tags=["programme"], responses=responses(404))
async def public_feed(
    slug: FromPath[str],
    request: Request[Any, Any, Any],
    conn: Conn,
    settings: Config,
    lang: Annotated[Literal["nb", "nn", "en"], QueryParameter(description="language of the texts")] = "nb",
) -> Response[bytes]:
    """The whole public programme as a calendar feed (cancelled sessions kept as cancelled)."""
    feed = await feeds.public_feed(conn, settings, slug, language=lang)
    return _calendar_response(request, feed, f"{slug}.ics")


@get("/agenda/{code:str}", include_in_schema=True, tags=["programme"], responses=responses(404))
async def personal_feed(
    code: FromPath[str], request: Request[Any, Any, Any], conn: Conn, settings: Config
) -> Response[bytes]:
    """An attendee's own calendar (the event and their sessions), at the secret address of their agenda link."""
    feed = await feeds.personal_feed(conn, settings, code.removesuffix(".ics"))
    return _calendar_response(request, feed, "agenda.ics")


PROGRAMME_ROUTES: list[Any] = [SessionController, public_feed, personal_feed]
