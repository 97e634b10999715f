"""An event's attendance page: counts by role and organisation, no-shows, walk-ins, and check-ins per ten
minutes as a server-drawn SVG chart with the same figures in a table beside it (for screen readers and for
reading exact numbers). Organisers of the event only."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from ..events import domain as events
from ..http import Caller, Conn
from ..registrations.pages import ROLE_LABELS
from . import attendance
from .guard import ORGANISER, console_page


class AttendancePages(Controller):
    path = "/console/events/{slug:str}/attendance"
    include_in_schema = False

    @get("/")
    async def attendance_page(
        self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, principal: Caller
    ) -> Template:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        slots = await attendance.per_slot(conn, event.id)
        return console_page(
            request,
            "console/attendance.html",
            principal,
            event_slug=event.slug,
            section="attendance",
            event=event,
            totals=await attendance.totals(conn, event.id),
            roles=await attendance.by_role(conn, event.id),
            organisations=await attendance.by_organisation(conn, event.id),
            role_labels=ROLE_LABELS,
            chart=attendance.chart(slots) if slots else None,
        )
