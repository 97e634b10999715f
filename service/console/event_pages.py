"""The dashboard and the event pages: create, edit, publish, close and reopen registration, cancel (after a
warning saying who will be told), and custom questions. Every change goes through service/events and
service/registrations; this module only reads forms and shows results."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from ..accounts.domain import require_role
from ..errors import DomainError, NotFound
from ..events import domain as events
from ..events.schemas import Event, EventIn, EventPatch
from ..hooks import EVENT_CHANGE_HOOKS, EVENT_CREATE_HOOKS
from ..http import Caller, Conn, Now
from ..programme import domain as programme
from ..progress import Progress
from ..registrations import domain as registrations
from ..registrations import queries as registration_queries
from ..registrations.schemas import QuestionIn
from . import attendance, dashboard, forms, listing, signups
from .guard import ORGANISER, console_page, organiser

S = TypeVar("S", EventIn, EventPatch)


def _form_page(console: forms.Console, event: Event | None, state: forms.State) -> Template:
    section = "event" if event else "events"
    retention = console.request.app.state.settings.retention_days
    return console.page(
        "console/event_form.html",
        state,
        event=event,
        section=section,
        notice=console.notice,
        retention_default=retention,
    )


def _event_in(data: dict[str, str], schema: type[S]) -> S:
    """The event form as EventIn or EventPatch; raises FormErrors naming every field that fails."""
    return forms.convert(forms.event_values(data, creating=schema is EventIn), schema)


QUESTION_FIELDS = {"kind": "question_kind", "choices": "choices_nb"}


def _question_errors(error: forms.FormError) -> dict[str, str]:
    """The question form names the kind `question_kind`; a refusal about the question is shown by its label,
    one about the choices by the bokmål choices."""
    if isinstance(error, DomainError):
        return {QUESTION_FIELDS.get(error.field or "", "label_nb"): error.code}
    return {QUESTION_FIELDS.get(field, field): code for field, code in forms.errors_of(error).items()}


async def _after(conn: Conn, slug: str, notice: str, event_id: UUID, before: int) -> str:
    """The event page after a change; with the calendar update it started (if any), whose progress it shows."""
    after = await programme.event_calendar_revision(conn, event_id)
    url = f"/console/events/{slug}?notice={notice}"
    return f"{url}&calendar=event&revision={after}" if after != before else url


async def _calendar_update(console: forms.Console, event: Event) -> tuple[None, int, Progress] | None:
    """The event's calendar update named in the address (`calendar=event&revision=`), if any."""
    query = console.request.query_params
    revision = query.get("revision", "")
    if query.get("calendar") != "event" or not revision.isdigit():
        return None
    progress = await programme.event_update_progress(console.conn, event.id, int(revision), actor=console.principal)
    return None, int(revision), progress


class EventPages(Controller):
    path = "/console"
    include_in_schema = False
    dependencies = forms.FORM_PAGES

    @get("/")
    async def dashboard(self, request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now) -> Template:
        """Upcoming events with their numbers; the table refreshes itself every 30 seconds."""
        require_role(principal, "organiser", "jury")
        found = await listing.upcoming_events(conn, principal, now=now) if principal.role != "jury" else []
        return console_page(
            request,
            "console/dashboard.html",
            principal,
            section="dashboard",
            events=found,
            checkins=await dashboard.checkins_today(conn, found, now),
            calls=await dashboard.open_calls(conn, principal, now) if principal.role != "jury" else [],
            charts=await dashboard.charts(conn, found, now),
            now=now,
        )

    @get("/dashboard/table")
    async def dashboard_table(
        self, request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now
    ) -> Template:
        found = await listing.upcoming_events(conn, organiser(principal), now=now)
        checkins = await dashboard.checkins_today(conn, found, now)
        return console_page(
            request, "console/_dashboard_table.html", principal, events=found, checkins=checkins, now=now
        )

    @get("/events")
    async def event_list(self, request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now) -> Template:
        found = await listing.all_events(conn, organiser(principal), now=now)
        return console_page(request, "console/events.html", principal, section="events", events=found, now=now)

    @get("/new-event")
    async def new_form(self, console: forms.Page) -> Template:
        organiser(console.principal)
        return _form_page(console, None, ({"kind": "conference", "capacity": "100"}, {}))

    @post("/new-event", status_code=303)
    async def create(self, data: forms.FormData, console: forms.Page) -> Response[Any]:
        organiser(console.principal)

        async def create() -> str:
            body = _event_in(data, EventIn)
            event = await events.create_event(
                console.conn, body, actor=console.principal, now=console.now, hooks=EVENT_CREATE_HOOKS
            )
            return f"/console/events/{event.slug}?notice=created"

        return await console.submit(create, lambda errors: _form_page(console, None, (data, errors)))

    @get("/events/{slug:str}")
    async def edit_form(self, slug: FromPath[str], console: forms.Page) -> Template:
        event = await console.event(slug)
        page = _form_page(console, event, (forms.event_form_values(event), {}))
        slots = await attendance.per_slot(console.conn, event.id)
        page.context["chart"] = attendance.chart(slots) if slots else None  # once the doors have admitted someone
        page.context["signups"] = await signups.chart_of(console.conn, event, console.now)
        page.context["ended"] = event.status != "cancelled" and console.now >= event.ends_at
        page.context["update"] = await _calendar_update(console, event)
        page.context["mailed"] = {
            key: int(value)
            for key in ("queued", "already")
            if (value := console.request.query_params.get(key, "")).isdigit()
        }
        return page

    @post("/events/{slug:str}", status_code=303)
    async def change(self, slug: FromPath[str], data: forms.FormData, console: forms.Page) -> Response[Any]:
        event = await console.event(slug)
        values = {**data, "slug": event.slug, "kind": event.kind}

        async def change() -> str:
            patch = _event_in(data, EventPatch)
            hooks = EVENT_CHANGE_HOOKS
            before = await programme.event_calendar_revision(console.conn, event.id)
            await events.update_event(console.conn, slug, patch, actor=console.principal, now=console.now, hooks=hooks)
            return await _after(console.conn, slug, "saved", event.id, before)

        return await console.submit(change, lambda errors: _form_page(console, event, (values, errors)))

    @post("/events/{slug:str}/state", status_code=303)
    async def change_state(
        self,
        slug: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> Redirect:
        """publish | close | reopen: one field of the event, through the events domain."""
        changes = {
            "publish": EventPatch(status="published"),
            "close": EventPatch(registration_paused=True),
            "reopen": EventPatch(registration_paused=False),
        }
        action = data.get("action", "")
        if action not in changes:
            raise NotFound("not_found", "no such action")
        await events.update_event(conn, slug, changes[action], actor=principal, now=now, hooks=EVENT_CHANGE_HOOKS)
        return Redirect(f"/console/events/{slug}?notice={action}", status_code=303)

    @get("/events/{slug:str}/calendar-progress")
    async def calendar_progress(self, slug: FromPath[str], console: forms.Page) -> Template:
        """The figures of the event's calendar update (`?revision=`) alone: what the event page polls."""
        event = await console.event(slug)
        update = await _calendar_update(console, event)
        if update is None:
            raise NotFound("calendar_update_not_found", "no such calendar update")
        return console_page(
            console.request, "console/_calendar_progress.html", console.principal, event=event, update=update
        )

    @get("/events/{slug:str}/cancel")
    async def cancel_form(
        self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, principal: Caller
    ) -> Template:
        """The warning before cancelling: how many people will be told by e-mail."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return console_page(
            request, "console/event_cancel.html", principal, event_slug=slug, section="event", event=event
        )

    @post("/events/{slug:str}/cancel", status_code=303)
    async def cancel(self, slug: FromPath[str], conn: Conn, principal: Caller, now: Now) -> Redirect:
        patch = EventPatch(status="cancelled")
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        before = await programme.event_calendar_revision(conn, event.id)
        await events.update_event(conn, slug, patch, actor=principal, now=now, hooks=EVENT_CHANGE_HOOKS)
        return Redirect(await _after(conn, slug, "cancelled", event.id, before), status_code=303)

    @get("/events/{slug:str}/questions")
    async def questions(self, slug: FromPath[str], console: forms.Page) -> Template:
        return await self._questions_page(console, await console.event(slug), ({}, {}))

    @staticmethod
    async def _questions_page(console: forms.Console, event: Event, state: forms.State) -> Template:
        asked = await registration_queries.questions(console.conn, event.id)
        return console.page(
            "console/questions.html", state, event=event, section="questions", questions=asked, notice=console.notice
        )

    @post("/events/{slug:str}/questions", status_code=303)
    async def add_question(self, slug: FromPath[str], data: forms.FormData, console: forms.Page) -> Response[Any]:
        event = await console.event(slug)

        async def add() -> str:
            question = forms.convert(forms.question_values(data), QuestionIn)
            await registrations.add_question(console.conn, event.id, question)
            return f"/console/events/{slug}/questions?notice=added"

        return await console.submit(
            add, lambda errors: self._questions_page(console, event, (data, errors)), _question_errors
        )

    @post("/events/{slug:str}/questions/{question_id:uuid}/delete", status_code=303)
    async def delete_question(
        self, slug: FromPath[str], question_id: FromPath[UUID], conn: Conn, principal: Caller
    ) -> Redirect:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        await registrations.delete_question(conn, event.id, question_id)
        return Redirect(f"/console/events/{slug}/questions?notice=deleted", status_code=303)
