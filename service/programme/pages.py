"""The programme page of an event: a grid of rooms side by side on wide screens, a list on phones."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from integrations import calendar

from ..events import domain as events
from ..http import Config, Conn, Now, request_language
from ..settings import Settings
from ..web.render import page
from . import domain, items


def calendar_links(settings: Settings, item: calendar.CalendarItem, ics_url: str) -> dict[str, str]:
    """'Add to calendar' links: the .ics file, a webcal subscription, Google Calendar and Outlook."""
    return {
        "ics": ics_url,
        "webcal": calendar.webcal(ics_url),
        "google": calendar.google_link(item),
        "outlook": calendar.outlook_link(item),
    }


@get("/events/{slug:str}/programme", include_in_schema=False)
async def programme_page(
    slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, now: Now, settings: Config
) -> Template:
    event = await events.get_event(conn, slug)
    sessions = await domain.list_sessions(conn, event.id)
    language = request_language(request)
    feed_url = f"{settings.base_url}/events/{event.slug}/calendar.ics?lang={language}"
    item = items.event_item(settings, event, language, uid="", sequence=0)
    rooms = sorted({s.room for s in sessions if s.room})
    blocks = domain.time_blocks(sessions)
    return page(
        request,
        "programme/programme.html",
        event=event,
        blocks=blocks,
        days=domain.days_of(blocks),
        rooms=rooms,
        now=now,
        links=calendar_links(settings, item, feed_url),
    )


PROGRAMME_PAGES: list[Any] = [programme_page]
