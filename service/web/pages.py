"""Public pages: upcoming events and each event's page."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from ..events import domain as events
from ..http import Conn, Now
from .render import page

OSLO = ZoneInfo("Europe/Oslo")


@get("/", include_in_schema=False)
async def event_list(request: Request[Any, Any, Any], conn: Conn, now: Now) -> Template:
    found = await events.list_events(conn, now=now, limit=100)
    return page(request, "events/list.html", events=found, now=now)


@get("/events/{slug:str}", include_in_schema=False)
async def event_detail(slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, now: Now) -> Template:
    event = await events.get_event(conn, slug)
    return page(request, "events/detail.html", event=event, now=now, oslo=OSLO)


def _registration_pages() -> list[Any]:
    from ..registrations.pages import RegistrationPages

    return [RegistrationPages]


PAGE_ROUTES: list[Any] = [event_list, event_detail, *_registration_pages()]
