"""The dashboard and the event pages: create, edit, publish, close and reopen registration, cancel (after a
warning saying who will be told), and custom questions. Every change goes through service/events and
service/registrations; this module only reads forms and shows results."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from ..accounts.domain import require_role
from ..errors import DomainError, NotFound
from ..events import domain as events
from ..events.schemas import EventIn, EventPatch
from ..hooks import EVENT_CHANGE_HOOKS
from ..http import Caller, Conn, Now
from ..registrations import domain as registrations
from ..registrations import queries as registration_queries
from ..registrations.schemas import QuestionIn
from . import dashboard, forms, listing
from .guard import ORGANISER, console_page, organiser


def _form_page(
    request: Request[Any, Any, Any],
    principal: Any,
    *,
    event: Any,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int | None = None,
) -> Template:
    return console_page(
        request,
        "console/event_form.html",
        principal,
        status_code=status_code or (422 if errors else 200),
        event_slug=event.slug if event else None,
        section="event" if event else "events",
        event=event,
        values=values,
        errors=errors,
        field_labels=forms.FIELD_LABELS,
        error_texts=forms.ERROR_TEXTS,
        retention_default=request.app.state.settings.retention_days,
    )


def _status(error: Exception) -> int | None:
    """A refusal about one field (a date for another organiser's series) is a 403 that shows the form again."""
    return 403 if isinstance(error, DomainError) and error.status == 403 else None


class EventPages(Controller):
    path = "/console"
    include_in_schema = False

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
    async def new_form(self, request: Request[Any, Any, Any], principal: Caller) -> Template:
        organiser(principal)
        return _form_page(request, principal, event=None, values={"kind": "conference", "capacity": "100"}, errors={})

    @post("/new-event", status_code=303)
    async def create(
        self,
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> Response[Any]:
        organiser(principal)
        try:
            body = msgspec.convert(forms.event_values(data, creating=True), EventIn)
            event = await events.create_event(conn, body, actor=principal, now=now)
        except (forms.FormErrors, msgspec.ValidationError, DomainError) as error:
            if isinstance(error, DomainError) and error.status in (401, 403) and error.field is None:
                raise
            return _form_page(
                request, principal, event=None, values=data, errors=forms.errors_of(error), status_code=_status(error)
            )
        return Redirect(f"/console/events/{event.slug}?notice=created", status_code=303)

    @get("/events/{slug:str}")
    async def edit_form(
        self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, principal: Caller
    ) -> Template:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        page = _form_page(request, principal, event=event, values=forms.event_form_values(event), errors={})
        page.context["notice"] = request.query_params.get("notice")
        return page

    @post("/events/{slug:str}", status_code=303)
    async def change(
        self,
        slug: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> Response[Any]:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        values = {**data, "slug": event.slug, "kind": event.kind}
        try:
            patch = msgspec.convert(forms.event_values(data, creating=False), EventPatch)
            await events.update_event(conn, slug, patch, actor=principal, now=now, hooks=EVENT_CHANGE_HOOKS)
        except (forms.FormErrors, msgspec.ValidationError, DomainError) as error:
            if isinstance(error, DomainError) and error.status in (401, 403, 404) and error.field is None:
                raise
            errors = forms.errors_of(error)
            return _form_page(request, principal, event=event, values=values, errors=errors, status_code=_status(error))
        return Redirect(f"/console/events/{slug}?notice=saved", status_code=303)

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
        await events.update_event(conn, slug, patch, actor=principal, now=now, hooks=EVENT_CHANGE_HOOKS)
        return Redirect(f"/console/events/{slug}?notice=cancelled", status_code=303)

    @get("/events/{slug:str}/questions")
    async def questions(
        self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, principal: Caller
    ) -> Template:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        return await self._questions_page(request, conn, principal, event, values={}, errors={})

    @staticmethod
    async def _questions_page(
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Any,
        event: Any,
        *,
        values: dict[str, str],
        errors: dict[str, str],
    ) -> Template:
        return console_page(
            request,
            "console/questions.html",
            principal,
            status_code=422 if errors else 200,
            event_slug=event.slug,
            section="questions",
            event=event,
            questions=await registration_queries.questions(conn, event.id),
            values=values,
            errors=errors,
            field_labels=forms.FIELD_LABELS,
            error_texts=forms.ERROR_TEXTS,
            notice=request.query_params.get("notice"),
        )

    @post("/events/{slug:str}/questions", status_code=303)
    async def add_question(
        self,
        slug: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
    ) -> Response[Any]:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        try:
            question = msgspec.convert(forms.question_values(data), QuestionIn)
            await registrations.add_question(conn, event.id, question)
        except forms.FormErrors as error:
            return await self._questions_page(request, conn, principal, event, values=data, errors=error.errors)
        except msgspec.ValidationError as error:
            field = forms.field_of_validation(error).replace("kind", "question_kind")
            errors = {field: forms.code_of_validation(error)}
            return await self._questions_page(request, conn, principal, event, values=data, errors=errors)
        except DomainError as error:
            field = {"choices": "choices_nb"}.get(error.field or "", "label_nb")
            return await self._questions_page(request, conn, principal, event, values=data, errors={field: error.code})
        return Redirect(f"/console/events/{slug}/questions?notice=added", status_code=303)

    @post("/events/{slug:str}/questions/{question_id:uuid}/delete", status_code=303)
    async def delete_question(
        self, slug: FromPath[str], question_id: FromPath[UUID], conn: Conn, principal: Caller
    ) -> Redirect:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        if not await registration_queries.delete_question(conn, event.id, question_id):
            raise NotFound("not_found", "no such question")
        return Redirect(f"/console/events/{slug}/questions?notice=deleted", status_code=303)
