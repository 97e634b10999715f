"""An event's reminders in the console: which are on and when they go, turn one on (a number and a unit) or
off, and preview the mail in bokmål, nynorsk and English with an example attendee. Changes go through
service/reminders, the same function the API calls."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from ..errors import DomainError
from ..events import domain as events
from ..events.schemas import Event
from ..http import Caller, Conn, Now
from ..i18n import LANGUAGES, Language
from ..reminders import domain as reminders
from ..reminders.mail import ChosenSession, Recipient, reminder_mail
from ..reminders.schemas import ReminderIn, format_duration
from .guard import ORGANISER, console_page

UNITS = {"minutes": 60, "hours": 3600, "days": 86_400}
FIELD_LABELS = {"amount": "How long before the start"}
ERROR_TEXTS = {
    "invalid": "Check what you wrote here.",
    "invalid_duration": "Choose a time between 1 minute and 60 days before the start.",
    "too_many_reminders": "An event has at most 10 reminders.",
}
EXAMPLE_NAME = "Kari Nordmann"


def _example(event: Event, status: str, base_url: str) -> Recipient:
    """A made-up attendee for the preview: no real person's name or links are shown."""
    sessions = (
        ChosenSession(
            title={"nb": "Parallellsesjon A", "nn": "Parallellsesjon A", "en": "Parallel session A"},
            starts_at=event.starts_at + timedelta(hours=1),
            ends_at=event.starts_at + timedelta(hours=2),
            room="",
            waiting=False,
        ),
    )
    return Recipient(
        name=EXAMPLE_NAME,
        status=status,
        waitlist_position=3 if status == "waitlisted" else None,
        ticket_url=f"{base_url}/t/EXAMPLE" if status == "confirmed" else None,
        manage_url=f"{base_url}/r/EXAMPLE",
        agenda_url=f"{base_url}/agenda/EXAMPLE.ics" if status == "confirmed" else None,
        sessions=sessions if status == "confirmed" else (),
    )


class ReminderPages(Controller):
    path = "/console/events/{slug:str}/reminders"
    include_in_schema = False

    @get("/")
    async def reminders_page(
        self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now
    ) -> Template:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await self._page(request, conn, principal, event, now=now, values={}, errors={})

    @staticmethod
    async def _page(
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Any,
        event: Event,
        *,
        now: Any,
        values: dict[str, str],
        errors: dict[str, str],
    ) -> Template:
        return console_page(
            request,
            "console/reminders.html",
            principal,
            status_code=422 if errors else 200,
            event_slug=event.slug,
            section="reminders",
            event=event,
            reminders=await reminders.list_reminders(conn, event),
            now=now,
            values=values,
            errors=errors,
            field_labels=FIELD_LABELS,
            error_texts=ERROR_TEXTS,
            units=UNITS,
            notice=request.query_params.get("notice"),
        )

    @post("/", status_code=303)
    async def add(
        self,
        slug: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> Response[Any]:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        amount, unit = data.get("amount", "").strip(), data.get("unit", "")
        if not amount.isdigit() or len(amount) > 6 or unit not in UNITS:
            return await self._page(request, conn, principal, event, now=now, values=data, errors={"amount": "invalid"})
        current = [ReminderIn(before=r.before) for r in await reminders.list_reminders(conn, event)]
        wanted = [*current, ReminderIn(before=format_duration(int(amount) * UNITS[unit]))]
        if any(r.before == wanted[-1].before for r in current):
            return Redirect(f"/console/events/{slug}/reminders?notice=added", status_code=303)
        try:
            await reminders.set_reminders(conn, event, wanted, actor=principal, now=now)
        except DomainError as error:
            if error.code not in ERROR_TEXTS:
                raise
            return await self._page(
                request, conn, principal, event, now=now, values=data, errors={"amount": error.code}
            )
        return Redirect(f"/console/events/{slug}/reminders?notice=added", status_code=303)

    @post("/off", status_code=303)
    async def turn_off(
        self, slug: FromPath[str], data: URLEncodedBody[dict[str, str]], conn: Conn, principal: Caller, now: Now
    ) -> Redirect:
        """Turn one reminder off (`before`), or all of them (`before=all`)."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        which = data.get("before", "")
        current = await reminders.list_reminders(conn, event)
        kept = [] if which == "all" else [ReminderIn(before=r.before) for r in current if r.before != which]
        await reminders.set_reminders(conn, event, kept, actor=principal, now=now)
        return Redirect(f"/console/events/{slug}/reminders?notice=off", status_code=303)

    @get("/preview")
    async def preview(
        self,
        slug: FromPath[str],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        mail_language: Annotated[str, QueryParameter(max_length=2)] = "nb",
        kind: Annotated[str, QueryParameter(max_length=10)] = "ticket",
    ) -> Template:
        """The reminder as an attendee would read it (the text part), for an example attendee."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        language: Language = mail_language if mail_language in LANGUAGES else "nb"
        status = "waitlisted" if kind == "waitlist" else "confirmed"
        base_url = request.app.state.settings.base_url
        subject, text, _html = reminder_mail(
            event, _example(event, status, base_url), language, base_url=base_url, qr_cid="example"
        )
        return console_page(
            request,
            "console/reminder_preview.html",
            principal,
            event_slug=event.slug,
            section="reminders",
            event=event,
            mail_language=language,
            kind="waitlist" if status == "waitlisted" else "ticket",
            subject=subject,
            text=text,
        )
