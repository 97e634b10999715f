"""The programme editor: an event's sessions in time order; add, edit and cancel them. Every change goes
through service/programme. A change an attendee's calendar shows (time, room, title, kind, cancelling), and a
new plenary session (in every attendee's calendar), is confirmed first on a page saying how many people will
get an invite."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ..errors import NotFound
from ..events import domain as events
from ..events.schemas import Event
from ..http import Caller, Conn, Now
from ..programme import domain as programme
from ..programme.schemas import Session, SessionIn, SessionPatch
from ..progress import Progress
from ..types import OSLO
from . import forms
from . import programme_forms as session_forms
from .guard import ORGANISER, console_page

BASE = "/console/events/{slug}/programme"


def _labels(errors: dict[str, str]) -> dict[str, str]:
    speakers = {field: "Speaker's name" for field in errors if field.startswith("speaker_")}
    return {**forms.FIELD_LABELS, **session_forms.FIELD_LABELS, **speakers}


def _texts() -> dict[str, str]:
    return {**forms.ERROR_TEXTS, **session_forms.ERROR_TEXTS}


def _kept(data: dict[str, str]) -> dict[str, str]:
    """The form's values, sent again from the confirmation step."""
    return {k: v for k, v in data.items() if k not in ("csrf_token", "confirmed")}


def by_day_and_room(sessions: list[Session]) -> list[tuple[date, list[tuple[str, list[Session]]]]]:
    """The sessions by their day in Oslo, then by room (rooms, and the sessions without one, in the order the day
    first uses them), each room's sessions in time order: the editor shows the date once per day."""
    days: dict[date, dict[str, list[Session]]] = {}
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.ends_at)):
        rooms = days.setdefault(session.starts_at.astimezone(OSLO).date(), {})
        rooms.setdefault(session.room, []).append(session)
    return [(day, list(rooms.items())) for day, rooms in sorted(days.items())]


async def _event(conn: Conn, slug: str, principal: Any) -> Event:
    return await events.get_event_for_actor(conn, slug, principal, *ORGANISER)


async def _session(conn: Conn, event: Event, session_id: UUID) -> Session:
    session = await programme.get_session(conn, session_id)
    if session.event_id != event.id:
        raise NotFound("session_not_found", "no such session")
    return session


def _after(slug: str, notice: str, session: Session | None) -> str:
    """The programme page after a change; with the calendar update it started, whose progress the page shows."""
    url = f"{BASE.format(slug=slug)}?notice={notice}"
    return f"{url}&calendar={session.id}&revision={session.sequence}" if session else url


async def _calendar_update(
    conn: Conn, event: Event, request: Request[Any, Any, Any], principal: Any
) -> tuple[Session, int, Progress] | None:
    """The calendar update named in the page's address (`calendar` and `revision`), if it is this event's."""
    try:
        session_id = UUID(request.query_params.get("calendar", ""))
        revision = int(request.query_params.get("revision", ""))
    except ValueError:
        return None
    try:
        session = await _session(conn, event, session_id)
    except NotFound:
        return None
    return session, revision, await programme.session_update_progress(conn, session_id, revision, actor=principal)


class ProgrammePages(Controller):
    path = "/console/events/{slug:str}/programme"
    include_in_schema = False

    dependencies = forms.FORM_PAGES

    @staticmethod
    def _form(console: forms.Console, event: Event, session: Session | None, state: forms.State) -> Template:
        texts = (_labels(state[1]), _texts())
        rows = range(session_forms.speaker_count(state[0]))
        return console.page(
            "console/session_form.html",
            state,
            texts,
            event=event,
            section="programme",
            session=session,
            speaker_rows=rows,
        )

    @staticmethod
    def _confirm(console: forms.Console, template: str, event: Event, **context: Any) -> Template:
        """The step before a change reaches attendees' calendars: the form's values kept, how many it reaches."""
        return console_page(
            console.request,
            template,
            console.principal,
            event_slug=event.slug,
            section="programme",
            event=event,
            **context,
        )

    @get("/")
    async def programme(
        self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, principal: Caller
    ) -> Template:
        event = await _event(conn, slug, principal)
        sessions = await programme.list_sessions(conn, event.id)
        rooms = sorted({s.room for s in sessions if s.room and s.status == "scheduled"}, key=str.casefold)
        update = await _calendar_update(conn, event, request, principal)
        return console_page(
            request,
            "console/programme.html",
            principal,
            event_slug=slug,
            section="programme",
            event=event,
            sessions=sessions,
            days=by_day_and_room(sessions),
            rooms=rooms,
            notice=request.query_params.get("notice"),
            update=update,
        )

    @get("/{session_id:uuid}/calendar-progress")
    async def calendar_progress(
        self,
        slug: FromPath[str],
        session_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
    ) -> Template:
        """One calendar update's figures alone (`?revision=`): what the programme page polls every two seconds
        until it is done."""
        event = await _event(conn, slug, principal)
        session = await _session(conn, event, session_id)
        try:
            revision = int(request.query_params.get("revision", ""))
        except ValueError:
            raise NotFound("calendar_update_not_found", "no such calendar update") from None
        progress = await programme.session_update_progress(conn, session.id, revision, actor=principal)
        return console_page(
            request, "console/_calendar_progress.html", principal, event=event, update=(session, revision, progress)
        )

    @get("/new")
    async def new_form(self, slug: FromPath[str], console: forms.Page) -> Template:
        event = await console.event(slug)
        starts = forms.local_time_value(event.starts_at)
        return self._form(console, event, None, ({"kind": "parallel", "starts_at": starts, "ends_at": starts}, {}))

    @post("/new", status_code=303)
    async def create(self, slug: FromPath[str], data: forms.FormData, console: forms.Page) -> Response[Any]:
        event = await console.event(slug)

        async def create() -> str | Response[Any]:
            body = forms.convert(session_forms.session_values(data), SessionIn)
            if programme.adds_to_calendars(body) and data.get("confirmed") != "yes":
                # A plenary goes into every confirmed attendee's calendar: say so before sending the invites.
                template = "console/session_add_confirm.html"
                return self._confirm(console, template, event, kept=_kept(data), people=event.confirmed)
            added = await programme.create_session(
                console.conn, event.id, body, actor=console.principal, now=console.now
            )
            return _after(slug, "added", added if programme.adds_to_calendars(body) else None)

        return await console.submit(create, lambda errors: self._form(console, event, None, (data, errors)))

    @get("/{session_id:uuid}")
    async def edit_form(self, slug: FromPath[str], session_id: FromPath[UUID], console: forms.Page) -> Template:
        event = await console.event(slug)
        session = await _session(console.conn, event, session_id)
        return self._form(console, event, session, (session_forms.session_form_values(session), {}))

    @post("/{session_id:uuid}", status_code=303)
    async def change(
        self, slug: FromPath[str], session_id: FromPath[UUID], data: forms.FormData, console: forms.Page
    ) -> Response[Any]:
        """Save the session; a calendar change is shown for confirmation first (`confirmed=yes` saves it)."""
        event = await console.event(slug)
        session = await _session(console.conn, event, session_id)

        async def change() -> str | Response[Any]:
            values = session_forms.session_values(data)
            patch = forms.convert(values, SessionPatch)
            if programme.changes_calendar(session, patch) and data.get("confirmed") != "yes":
                people = await programme.calendar_recipients(console.conn, session, values.get("kind"))
                template = "console/session_confirm.html"
                return self._confirm(console, template, event, session=session, kept=_kept(data), people=people)
            changed = await programme.update_session(
                console.conn, session_id, patch, actor=console.principal, now=console.now
            )
            return _after(slug, "saved", changed if programme.changes_calendar(session, patch) else None)

        return await console.submit(change, lambda errors: self._form(console, event, session, (data, errors)))

    @get("/{session_id:uuid}/cancel")
    async def cancel_form(
        self,
        slug: FromPath[str],
        session_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
    ) -> Template:
        """The warning before cancelling: how many attendees get a cancellation for their calendar."""
        event = await _event(conn, slug, principal)
        session = await _session(conn, event, session_id)
        return console_page(
            request,
            "console/session_cancel.html",
            principal,
            event_slug=slug,
            section="programme",
            event=event,
            session=session,
            people=await programme.calendar_recipients(conn, session),
        )

    @post("/{session_id:uuid}/cancel", status_code=303)
    async def cancel(
        self, slug: FromPath[str], session_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now
    ) -> Redirect:
        event = await _event(conn, slug, principal)
        await _session(conn, event, session_id)
        cancelled = await programme.cancel_session(conn, session_id, actor=principal, now=now)
        return Redirect(_after(slug, "cancelled", cancelled), status_code=303)
