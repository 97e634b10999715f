"""The programme editor: an event's sessions in time order; add, edit and cancel them. Every change goes
through service/programme. A change an attendee's calendar shows (time, room, title, kind, cancelling), and a
new plenary session (in every attendee's calendar), is confirmed first on a page saying how many people will
get an invite."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from ..errors import DomainError, NotFound
from ..events import domain as events
from ..events.schemas import Event
from ..http import Caller, Conn, Now
from ..programme import domain as programme
from ..programme.schemas import Session, SessionIn, SessionPatch
from . import forms
from . import programme_forms as session_forms
from .guard import ORGANISER, console_page

BASE = "/console/events/{slug}/programme"


def _labels(errors: dict[str, str]) -> dict[str, str]:
    speakers = {field: "Speaker's name" for field in errors if field.startswith("speaker_")}
    return {**forms.FIELD_LABELS, **session_forms.FIELD_LABELS, **speakers}


def _texts() -> dict[str, str]:
    return {**forms.ERROR_TEXTS, **session_forms.ERROR_TEXTS}


async def _event(conn: Conn, slug: str, principal: Any) -> Event:
    return await events.get_event_for_actor(conn, slug, principal, *ORGANISER)


async def _session(conn: Conn, event: Event, session_id: UUID) -> Session:
    session = await programme.get_session(conn, session_id)
    if session.event_id != event.id:
        raise NotFound("session_not_found", "no such session")
    return session


class ProgrammePages(Controller):
    path = "/console/events/{slug:str}/programme"
    include_in_schema = False

    @staticmethod
    def _form(
        request: Request[Any, Any, Any],
        principal: Any,
        event: Event,
        *,
        session: Session | None,
        values: dict[str, str],
        errors: dict[str, str],
    ) -> Template:
        return console_page(
            request,
            "console/session_form.html",
            principal,
            status_code=422 if errors else 200,
            event_slug=event.slug,
            section="programme",
            event=event,
            session=session,
            values=values,
            errors=errors,
            speaker_rows=range(session_forms.speaker_count(values)),
            field_labels=_labels(errors),
            error_texts=_texts(),
        )

    @get("/")
    async def programme(
        self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, principal: Caller
    ) -> Template:
        event = await _event(conn, slug, principal)
        sessions = await programme.list_sessions(conn, event.id)
        rooms = sorted({s.room for s in sessions if s.room and s.status == "scheduled"}, key=str.casefold)
        return console_page(
            request,
            "console/programme.html",
            principal,
            event_slug=slug,
            section="programme",
            event=event,
            sessions=sessions,
            rooms=rooms,
            notice=request.query_params.get("notice"),
        )

    @get("/new")
    async def new_form(
        self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, principal: Caller
    ) -> Template:
        event = await _event(conn, slug, principal)
        values = {"kind": "parallel", "starts_at": forms.local_time_value(event.starts_at)}
        values["ends_at"] = values["starts_at"]
        return self._form(request, principal, event, session=None, values=values, errors={})

    @post("/new", status_code=303)
    async def create(
        self,
        slug: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> Response[Any]:
        event = await _event(conn, slug, principal)
        try:
            body = msgspec.convert(session_forms.session_values(data), SessionIn)
            if programme.adds_to_calendars(body) and data.get("confirmed") != "yes":
                # A plenary goes into every confirmed attendee's calendar: say so before sending the invites.
                return console_page(
                    request,
                    "console/session_add_confirm.html",
                    principal,
                    event_slug=slug,
                    section="programme",
                    event=event,
                    kept={k: v for k, v in data.items() if k not in ("csrf_token", "confirmed")},
                    people=event.confirmed,
                )
            await programme.create_session(conn, event.id, body, actor=principal, now=now)
        except (forms.FormErrors, msgspec.ValidationError, DomainError) as error:
            if isinstance(error, DomainError) and error.status in (401, 403, 404):
                raise
            return self._form(request, principal, event, session=None, values=data, errors=forms.errors_of(error))
        return Redirect(f"{BASE.format(slug=slug)}?notice=added", status_code=303)

    @get("/{session_id:uuid}")
    async def edit_form(
        self,
        slug: FromPath[str],
        session_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
    ) -> Template:
        event = await _event(conn, slug, principal)
        session = await _session(conn, event, session_id)
        values = session_forms.session_form_values(session)
        return self._form(request, principal, event, session=session, values=values, errors={})

    @post("/{session_id:uuid}", status_code=303)
    async def change(
        self,
        slug: FromPath[str],
        session_id: FromPath[UUID],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> Response[Any]:
        """Save the session; a calendar change is shown for confirmation first (`confirmed=yes` saves it)."""
        event = await _event(conn, slug, principal)
        session = await _session(conn, event, session_id)
        try:
            values = session_forms.session_values(data)
            patch = msgspec.convert(values, SessionPatch)
            if programme.changes_calendar(session, patch) and data.get("confirmed") != "yes":
                kept = {k: v for k, v in data.items() if k not in ("csrf_token", "confirmed")}
                return console_page(
                    request,
                    "console/session_confirm.html",
                    principal,
                    event_slug=slug,
                    section="programme",
                    event=event,
                    session=session,
                    kept=kept,
                    people=await programme.calendar_recipients(conn, session, values.get("kind")),
                )
            await programme.update_session(conn, session_id, patch, actor=principal, now=now)
        except (forms.FormErrors, msgspec.ValidationError, DomainError) as error:
            if isinstance(error, DomainError) and error.status in (401, 403, 404):
                raise
            return self._form(request, principal, event, session=session, values=data, errors=forms.errors_of(error))
        return Redirect(f"{BASE.format(slug=slug)}?notice=saved", status_code=303)

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
        await programme.cancel_session(conn, session_id, actor=principal, now=now)
        return Redirect(f"{BASE.format(slug=slug)}?notice=cancelled", status_code=303)
