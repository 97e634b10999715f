"""Public pages: the upcoming events and each event's page.

The attendee's own pages (registration form, ticket, manage link) live in service/registrations/pages.py
and are mounted here, so that app.py has one list of HTML routes.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from ..announcements.domain import public_announcements
from ..announcements.markup import to_html
from ..events import domain as events
from ..http import Conn, Now
from ..privacy.pages import PRIVACY_PAGES
from ..programme import domain as programme
from ..programme.pages import PROGRAMME_PAGES
from ..registrations.pages import RegistrationPages
from ..surveys.pages import SURVEY_PAGES
from ..workshops.pages import WorkshopPages
from .render import page

UPCOMING_LIMIT = 100


@get("/", include_in_schema=False)
async def event_list(request: Request[Any, Any, Any], conn: Conn, now: Now) -> Template:
    """The published events that are not over yet, soonest first."""
    found = await events.list_events(conn, now=now, limit=UPCOMING_LIMIT)
    return page(request, "events/list.html", events=found, now=now)


@get("/events/{slug:str}", include_in_schema=False)
async def event_detail(slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, now: Now) -> Template:
    """One published (or cancelled) event; a draft or unknown slug is NotFound, shown as the HTML 404 page."""
    event = await events.get_event(conn, slug)
    has_programme = bool(await programme.list_sessions(conn, event.id))
    announcements = await public_announcements(conn, event.id)
    return page(
        request,
        "events/detail.html",
        event=event,
        now=now,
        has_programme=has_programme,
        announcements=announcements,
        mrkdwn=to_html,
    )


def _domain_pages() -> list[Any]:
    return [RegistrationPages, WorkshopPages, *PROGRAMME_PAGES, *PRIVACY_PAGES, *SURVEY_PAGES]


PAGE_ROUTES: list[Any] = [event_list, event_detail, *_domain_pages()]
