from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import CacheControlHeader, State
from litestar.params import Body, FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from .. import idempotency, ratelimit, spreadsheet
from ..accounts.domain import require_event_scope
from ..checkin.schemas import Admission
from ..errors import Invalid
from ..events import domain as events
from ..events import queries as event_queries
from ..hooks import REGISTRATION_END_HOOKS, REGISTRATION_HOOKS
from ..http import Caller, Config, Conn, Now
from ..openapi import responses
from ..privacy.domain import audit_organiser_export
from ..privacy.records import registration_record
from ..programme import domain as programme
from ..programme import queries as programme_queries
from ..programme.schemas import Choice
from ..settings import Settings
from . import domain, links, listing, paging, queries, renew
from .access import by_code
from .schemas import (
    EventSummary,
    ListedRegistration,
    NewLinkIn,
    NewLinkRequested,
    Question,
    QuestionIn,
    Registration,
    RegistrationCreated,
    RegistrationExport,
    RegistrationFilter,
    RegistrationIn,
    RegistrationPage,
    RegistrationPatch,
    RegistrationRow,
    RegistrationSelf,
)

ORGANISER = ("organiser",)


def created(
    settings: Settings, registration: Registration, sessions: list[Choice] | None = None
) -> RegistrationCreated:
    return RegistrationCreated(
        id=registration.id,
        status=registration.status,
        waitlist_position=registration.waitlist_position,
        ticket_url=links.ticket_url(settings, registration),
        manage_url=links.manage_url(settings, registration),
        sessions=sessions or [],
    )


async def self_view(conn: Conn, settings: Settings, registration: Registration) -> RegistrationSelf:
    event = await event_queries.event_by_id(conn, registration.event_id)
    assert event is not None
    return RegistrationSelf(
        id=registration.id,
        status=registration.status,
        waitlist_position=registration.waitlist_position,
        name=registration.name,
        email=registration.email,
        organisation=registration.organisation,
        role=registration.role,
        dietary=registration.dietary,
        accessibility=registration.accessibility,
        language=registration.language,
        answers=registration.answers,
        created_at=registration.created_at,
        confirmed_at=registration.confirmed_at,
        cancelled_at=registration.cancelled_at,
        event=EventSummary(
            slug=event.slug,
            title=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            venue=event.venue,
            address=event.address,
        ),
        ticket_url=links.ticket_url(settings, registration),
        manage_url=links.manage_url(settings, registration),
        agenda_url=links.agenda_url(settings, registration) if registration.status == "confirmed" else None,
        sessions=await programme_queries.choices_of(conn, registration.id),
    )


def row(registration: Registration, admission: Admission | None = None) -> RegistrationRow:
    """The organiser's row; with the admission (scanned_at, door) when the person was checked in."""
    fields = {
        name: getattr(registration, name) for name in RegistrationRow.__struct_fields__ if hasattr(registration, name)
    }
    if admission is not None:
        fields.update(checked_in_at=admission.at, checked_in_door=admission.door)
    return RegistrationRow(**fields)


def manage_secret(request: Request[Any, Any, Any]) -> str | None:
    """The manage-link code: `Authorization: Bearer M1…` or `?secret=M1…`."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query_params.get("secret")


class RegistrationController(Controller):
    tags = ["registrations"]  # noqa: RUF012 - Litestar reads it as an attribute

    @post("/api/v1/events/{slug:str}/registrations", status_code=201, responses=responses(404, 409, 413, 422, 429))
    async def register(
        self,
        slug: FromPath[str],
        data: JSONBody[RegistrationIn],
        request: Request[Any, Any, Any],
        conn: Conn,
        now: Now,
        settings: Config,
        idempotency_key: idempotency.Key = None,
    ) -> Response[RegistrationCreated]:
        """Register for an event. Answers `confirmed` or `waitlisted`; honours `Idempotency-Key`."""
        await ratelimit.limit(request, conn, data.email, now=now)

        async def action() -> tuple[int, bytes]:
            registration, choices = await programme.register_with_sessions(
                conn, slug, data, now=now, hooks=REGISTRATION_HOOKS
            )
            return 201, msgspec.json.encode(created(settings, registration, choices))

        return await idempotency.respond(request, conn, principal=f"public:{slug}", key=idempotency_key, action=action)

    @get("/api/v1/events/{slug:str}/questions", responses=responses(404))
    async def questions(self, slug: FromPath[str], conn: Conn) -> list[Question]:
        """The event's custom questions, in order."""
        event = await events.get_event(conn, slug)
        return await queries.questions(conn, event.id)

    @get("/api/v1/events/{slug:str}/registrations", responses=responses(401, 403, 404, 422))
    async def list_registrations(
        self,
        slug: FromPath[str],
        conn: Conn,
        state: State,
        principal: Caller,
        now: Now,
        status: Annotated[Literal["confirmed", "waitlisted", "cancelled"] | None, QueryParameter()] = None,
        role: Annotated[str | None, QueryParameter(max_length=40)] = None,
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        sort: Annotated[Literal["created", "-created", "name"], QueryParameter()] = "created",
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
        after: Annotated[str | None, QueryParameter(max_length=paging.MAX_CURSOR)] = None,
        format: Annotated[Literal["json", "csv"], QueryParameter()] = "json",
        checked_in: Annotated[bool | None, QueryParameter()] = None,
    ) -> Response[RegistrationPage] | Stream:
        """Registrations of an event with filters, search, counts; `format=csv` exports the filter;
        `checked_in=true|false` keeps those admitted at a door, or those not (each row has `checked_in_at`).
        Pages: `next` is the cursor of the following page (`after=`), the same speed at any depth; `offset` still
        works but reads every row it skips."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        key = paging.decode(after, sort)
        if after is not None and key is None:
            raise Invalid("invalid_cursor", "`after` is not a cursor this list gave for this sort", field="after")
        if format == "csv":
            chosen = RegistrationFilter(status=status, role=role, q=q or "", sort=sort, checked_in=checked_in)
            await audit_organiser_export(
                conn,
                event.id,
                actor=principal.actor,
                now=now,
                filters={"status": status, "role": role, "q": q, "sort": sort},
                rows=await listing.count_rows(conn, event.id, chosen),
                fmt="csv",
            )
            questions = await queries.questions(conn, event.id)
            parts = (
                [_csv_line(listed, questions) for listed in batch]
                async for batch in listing.export_batches(state.pool, event.id, chosen)
            )
            return spreadsheet.csv_stream(f"{event.slug}-registrations.csv", _csv_header(questions), parts)
        counts = await queries.counts(conn, event.id)
        found, total, following = await queries.search(
            conn,
            event.id,
            status=status,
            role=role,
            text=q,
            sort=sort,
            limit=limit,
            offset=offset,
            after=key,
            checked_in=checked_in,
            counts=counts,
        )
        admissions = await queries.admissions_of(conn, [r.id for r in found])
        page = RegistrationPage(
            items=[row(r, admissions.get(r.id)) for r in found],
            total=total,
            limit=limit,
            offset=0 if key is not None else offset,
            counts=counts,
            next=paging.encode(following) if following else None,
        )
        return Response(page)

    @get("/api/v1/registrations/{registration_id:uuid}", responses=responses(401, 403, 404))
    async def detail(self, registration_id: FromPath[UUID], conn: Conn, principal: Caller) -> RegistrationRow:
        """One registration (organiser of its event)."""
        registration = await domain.get_registration(conn, registration_id)
        await _require_scope(conn, principal, registration.event_id)
        admissions = await queries.admissions_of(conn, [registration.id])
        return row(registration, admissions.get(registration.id))

    @post(
        "/api/v1/registrations/{registration_id:uuid}/cancel", status_code=200, responses=responses(401, 403, 404, 409)
    )
    async def cancel(self, registration_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now) -> RegistrationRow:
        """Cancel someone by hand; the next on the waiting list gets the seat."""
        registration = await domain.get_registration(conn, registration_id)
        await _require_scope(conn, principal, registration.event_id)
        cancelled = await domain.cancel_registration(
            conn, registration_id, actor=principal.actor, now=now, end_hooks=REGISTRATION_END_HOOKS
        )
        return row(cancelled)

    @post(
        "/api/v1/registrations/{registration_id:uuid}/confirm", status_code=200, responses=responses(401, 403, 404, 409)
    )
    async def confirm(
        self, registration_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now
    ) -> RegistrationRow:
        """Move someone from the waiting list into a free seat."""
        registration = await domain.get_registration(conn, registration_id)
        await _require_scope(conn, principal, registration.event_id)
        return row(await domain.confirm_from_waitlist(conn, registration_id, actor=principal.actor, now=now))

    @post("/api/v1/events/{slug:str}/questions", status_code=201, responses=responses(401, 403, 404, 409, 422))
    async def add_question(
        self, slug: FromPath[str], data: JSONBody[QuestionIn], conn: Conn, principal: Caller
    ) -> Question:
        """Add a custom question to the registration form (at most 10)."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        question: Question = await domain.add_question(conn, event.id, data)
        return question

    @delete(
        "/api/v1/events/{slug:str}/questions/{question_id:uuid}", status_code=204, responses=responses(401, 403, 404)
    )
    async def delete_question(
        self, slug: FromPath[str], question_id: FromPath[UUID], conn: Conn, principal: Caller
    ) -> None:
        """Remove a custom question (answers already given stay with the registrations)."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        await domain.delete_question(conn, event.id, question_id)


class SelfServiceController(Controller):
    """The attendee's own registration, reached with the code of their manage link."""

    path = "/api/v1/registrations/self"
    tags = ["self-service"]  # noqa: RUF012 - Litestar reads it as an attribute

    @get("/", responses=responses(404), cache_control=CacheControlHeader(no_store=True))
    async def view(self, request: Request[Any, Any, Any], conn: Conn, settings: Config) -> RegistrationSelf:
        """Status, waiting-list position and answers."""
        registration = await by_code(conn, settings, links.MANAGE, manage_secret(request))
        return await self_view(conn, settings, registration)

    @patch("/", responses=responses(404, 409, 422))
    async def change(
        self, data: JSONBody[RegistrationPatch], request: Request[Any, Any, Any], conn: Conn, now: Now, settings: Config
    ) -> RegistrationSelf:
        """Change name, organisation, needs, language, answers or chosen sessions (the whole set)."""
        registration = await by_code(conn, settings, links.MANAGE, manage_secret(request))
        async with conn.transaction():
            updated = await domain.update_registration(conn, registration.id, data, actor=domain.ATTENDEE, now=now)
            if data.sessions is not msgspec.UNSET:
                await programme.choose_sessions(conn, registration.id, data.sessions, actor=domain.ATTENDEE, now=now)
        return await self_view(conn, settings, updated)

    @delete("/", status_code=200, responses=responses(404, 409))
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        now: Now,
        settings: Config,
        erase: Annotated[bool, QueryParameter(description="also delete all personal data")] = False,
    ) -> Response[RegistrationSelf | None]:
        """Cancel (or leave the waiting list). With `erase=true`, delete the registration and its data."""
        registration = await by_code(conn, settings, links.MANAGE, manage_secret(request))
        if erase:
            await domain.delete_registration(conn, registration.id, now=now, end_hooks=REGISTRATION_END_HOOKS)
            return Response(None, status_code=204)
        cancelled = await domain.cancel_registration(
            conn, registration.id, actor=domain.ATTENDEE, now=now, end_hooks=REGISTRATION_END_HOOKS
        )
        return Response(await self_view(conn, settings, cancelled))

    @get("/export", responses=responses(404), cache_control=CacheControlHeader(no_store=True))
    async def export(
        self, request: Request[Any, Any, Any], conn: Conn, now: Now, settings: Config
    ) -> Response[RegistrationExport]:
        """Everything stored about the attendee, as JSON."""
        registration = await by_code(conn, settings, links.MANAGE, manage_secret(request))
        history = await queries.history_of(conn, registration.id)
        record = await registration_record(conn, registration.id)
        assert record is not None
        export = RegistrationExport(
            registration=await self_view(conn, settings, registration), history=history, exported_at=now, record=record
        )
        return Response(export, headers={"content-disposition": 'attachment; filename="moteplass-data.json"'})

    @post("/new-link", status_code=202, responses=responses(404, 422))
    async def new_link(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        now: Now,
        settings: Config,
        data: Annotated[NewLinkIn | None, Body()] = None,
    ) -> NewLinkRequested:
        """New manage, ticket and agenda links, mailed to the registration's own address; the old links stop
        working. Call it with the manage code (`Authorization: Bearer M1…`), or with the event and the address
        (`{"event": …, "email": …}`): the answer is then the same whether or not the address is registered."""
        code = manage_secret(request)
        if code is not None:
            registration = await by_code(conn, settings, links.MANAGE, code)
            await renew.renew_links(conn, registration.id, actor=domain.ATTENDEE, now=now)
        elif data is None:
            raise Invalid("validation_failed", "give the manage code, or the event and the address", field="email")
        else:
            await ratelimit.limit(request, conn, data.email, now=now)
            event = await events.get_event(conn, data.event)
            await renew.renew_links_by_email(conn, event.id, email=data.email, now=now)
        return NewLinkRequested()


def _csv_header(questions: list[Question]) -> list[str]:
    """The API's CSV columns (machine names, stable for scripts), then each question's label."""
    return [
        "status",
        "waitlist_position",
        "name",
        "email",
        "organisation",
        "role",
        "dietary",
        "accessibility",
        "language",
        "registered_at",
        "checked_in_at",
        "checked_in_door",
        "source",
        *(q.label.get("nb", str(q.id)) for q in questions),
    ]


def _csv_line(listed: ListedRegistration, questions: list[Question]) -> list[object]:
    return [
        listed.status,
        listed.waitlist_position or "",
        listed.name,
        listed.email or "",
        listed.organisation,
        listed.role or "",
        listed.dietary,
        listed.accessibility,
        listed.language,
        listed.created_at.isoformat(),
        listed.checked_in_at.isoformat() if listed.checked_in_at else "",
        listed.checked_in_door or "",
        listed.source,
        *(_answer_text(listed.answers.get(str(q.id))) for q in questions),
    ]


def _answer_text(value: object) -> str:
    if value is True:
        return "ja"
    if value is False:
        return "nei"
    return "" if value is None else str(value)


async def _require_scope(conn: Conn, principal: Caller, event_id: UUID) -> None:
    await require_event_scope(conn, principal, event_id, *ORGANISER)


REGISTRATION_ROUTES = [RegistrationController, SelfServiceController]
