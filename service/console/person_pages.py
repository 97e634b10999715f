"""One person of an event in the console: their page (details, answers, history, mails) with a form for each of
the organiser's hand moves — edit, re-send the ticket, move within the series, erase (after a confirmation
step) — and the "Add a person" form of the registrations list. Every move goes through service/people (seat
rules, audit log); this module reads forms and shows the outcome."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from ..events import domain as events
from ..events import queries as event_queries
from ..events.schemas import Event
from ..hooks import REGISTRATION_END_HOOKS
from ..http import request_language
from ..i18n import pick
from ..people import domain as people
from ..programme import domain as programme
from ..programme import queries as programme_queries
from ..registrations import domain as registrations
from ..registrations import queries as registration_queries
from ..registrations.pages import ERROR_TEXTS as ATTENDEE_ERRORS
from ..registrations.pages import ROLE_LABELS, answer_values, answers_from_form
from ..registrations.schemas import ATTENDEE_ROLES, PersonIn, PersonPatch, Registration
from . import forms, listing
from .export import SOURCE_TEXTS
from .guard import ORGANISER
from .registration_pages import HISTORY_ACTIONS, MAIL_KINDS

TEXT_FIELDS = ("name", "email", "organisation", "dietary", "accessibility", "note")
LABELS = {
    **forms.FIELD_LABELS,
    "organisation": "Organisation",
    "dietary": "Dietary needs",
    "accessibility": "Accessibility needs",
    "note": "Note for organisers",
    "source": "How the person came",
    "when_full": "If the event is full",
    "event": "Move to",
    "confirm": "Confirmation",
    "sessions": "Sessions",
}
ERRORS = {
    **forms.ERROR_TEXTS,
    "event_full": "The event is full. Choose to confirm the person beyond the capacity, or to put them on the "
    "waiting list, and send again.",
    "already_registered": "This e-mail address is registered for the event already.",
    "email.invalid": "Write a whole e-mail address, like kari@bergen.kommune.no, or leave it empty.",
    "no_email": "The person has no e-mail address. Add one first.",
    "not_same_series": "Choose another event of the same series.",
    "not_cancellable": "A cancelled registration cannot be changed.",
    "event_cancelled": "The event is cancelled.",
    "confirmation_required": "Tick the box to confirm.",
    # The event's questions and the sessions, as the registration form says them.
    **{
        code: ATTENDEE_ERRORS[code]
        for code in (
            "answer_required",
            "invalid_answer",
            "sessions_overlap",
            "unknown_session",
            "session_not_choosable",
        )
    },
}
WHEN_FULL = {"refuse": {}, "over_capacity": {"over_capacity": True}, "waitlist": {"waitlist": True}}
NOTICES = {
    "added": "The person is registered. They get an e-mail if they have an address.",
    "edited": "The changes are saved.",
    "sessions": "The sessions are saved. The person gets calendar updates if they have an e-mail address.",
    "resent": "The e-mail is on its way again.",
    "moved": "The person is moved. They get an e-mail about their new registration if they have an address.",
}


def _text_values(form: dict[str, str], questions: list[Any] | None = None) -> dict[str, Any]:
    """The person's fields from a form as the API's JSON has them (an empty e-mail or role is none); with the
    event's questions, their answers too."""
    values: dict[str, Any] = {name: form.get(name, "").strip() for name in TEXT_FIELDS if name in form}
    if questions:
        values["answers"] = answers_from_form(form, questions)
    if "email" in values and not values["email"]:
        values["email"] = None
    if "role" in form:
        values["role"] = form["role"] if form["role"] in ATTENDEE_ROLES else None
    if form.get("language") in ("nb", "nn", "en"):
        values["language"] = form["language"]
    return values


def _form_values(registration: Registration) -> dict[str, str]:
    values = {name: getattr(registration, name) or "" for name in TEXT_FIELDS}
    return {
        **values,
        **answer_values(registration.answers),
        "role": registration.role or "",
        "language": registration.language,
    }


async def _series_events(conn: Any, event: Event) -> list[Event]:
    """The other events of the event's series, for the move form."""
    if event.series is None:
        return []
    return [e for e in await event_queries.events_of_series(conn, event.series) if e.id != event.id]


async def _registration(console: forms.Console, registration_id: UUID) -> tuple[Registration, Event]:
    """The registration and its event, when the signed-in person organises it (else NotFound, Forbidden)."""
    registration = await registrations.get_registration(console.conn, registration_id)
    event = await event_queries.event_by_id(console.conn, registration.event_id)
    assert event is not None
    await events.get_event_for_actor(console.conn, event.slug, console.principal, *ORGANISER)
    return registration, event


class PersonPages(Controller):
    path = "/console"
    include_in_schema = False
    dependencies = forms.FORM_PAGES

    async def _person(
        self, console: forms.Console, registration_id: UUID, state: forms.State | None = None, **context: Any
    ) -> Template:
        registration, event = await _registration(console, registration_id)
        admissions = await registration_queries.admissions_of(console.conn, [registration_id])
        sessions = await programme.list_sessions(console.conn, event.id)
        chosen = context.pop("chosen", None) or {
            str(c.session_id) for c in await programme_queries.choices_of(console.conn, registration_id)
        }
        notice = console.notice
        questions = await registration_queries.questions(console.conn, event.id)
        return console.page(
            "console/registration.html",
            state or (_form_values(registration), {}),
            ({**LABELS, **{f"q_{q.id}": pick(q.label, request_language(console.request)) for q in questions}}, ERRORS),
            event=event,
            section="registrations",
            registration=registration,
            admission=admissions.get(registration_id),
            questions=questions,
            history=await registration_queries.history_of(console.conn, registration_id),
            mails=await listing.mails_of(console.conn, registration_id),
            roles=ROLE_LABELS,
            source_texts=SOURCE_TEXTS,
            mail_kinds=MAIL_KINDS,
            history_actions=HISTORY_ACTIONS,
            series_events=await _series_events(console.conn, event),
            groups=programme.choice_groups(sessions),
            chosen=chosen,
            notice=notice,
            notice_text=NOTICES.get(notice or ""),
            **context,
        )

    @get("/registrations/{registration_id:uuid}")
    async def detail(self, registration_id: FromPath[UUID], console: forms.Page) -> Template:
        return await self._person(console, registration_id)

    @get("/events/{slug:str}/people/new")
    async def new(self, slug: FromPath[str], console: forms.Page) -> Template:
        event = await console.event(slug)
        return self._new_page(console, event, ({"language": "nb", "source": "organiser", "when_full": "refuse"}, {}))

    def _new_page(self, console: forms.Console, event: Event, state: forms.State) -> Template:
        return console.page(
            "console/person_new.html", state, (LABELS, ERRORS), event=event, section="registrations", roles=ROLE_LABELS
        )

    @post("/events/{slug:str}/people", status_code=303)
    async def add(self, slug: FromPath[str], data: forms.FormData, console: forms.Page) -> Response[Any]:
        event = await console.event(slug)

        async def act() -> str:
            values = {
                **_text_values(data),
                "source": data.get("source") if data.get("source") in ("organiser", "public") else "organiser",
                **WHEN_FULL.get(data.get("when_full", ""), {}),
            }
            person = forms.convert(values, PersonIn)
            added = await people.add_person(console.conn, event, person, actor=console.principal.actor, now=console.now)
            return f"/console/registrations/{added.id}?notice=added"

        return await console.submit(act, lambda errors: self._new_page(console, event, (data, _full(errors))))

    @post("/registrations/{registration_id:uuid}/edit", status_code=303)
    async def edit(self, registration_id: FromPath[UUID], data: forms.FormData, console: forms.Page) -> Response[Any]:
        registration, event = await _registration(console, registration_id)

        questions = await registration_queries.questions(console.conn, event.id)

        async def act() -> str:
            patch = forms.convert(_text_values(data, questions), PersonPatch)
            await people.edit_person(
                console.conn, event, registration.id, patch, actor=console.principal.actor, now=console.now
            )
            return f"/console/registrations/{registration_id}?notice=edited"

        return await console.submit(
            act, lambda errors: self._person(console, registration_id, (data, _answers_by_field(errors)))
        )

    @post("/registrations/{registration_id:uuid}/sessions", status_code=303)
    async def sessions(
        self, registration_id: FromPath[UUID], data: forms.FormData, console: forms.Page
    ) -> Response[Any]:
        """The whole set of chosen sessions, by the programme's rules (overlaps, places, waiting lists)."""
        registration, event = await _registration(console, registration_id)
        chosen = programme.chosen_from_form(data)

        async def act() -> str:
            await people.edit_person(
                console.conn,
                event,
                registration.id,
                PersonPatch(sessions=chosen),
                actor=console.principal.actor,
                now=console.now,
            )
            return f"/console/registrations/{registration_id}?notice=sessions#sessions-heading"

        return await console.submit(
            act,
            lambda errors: self._person(
                console,
                registration_id,
                (_form_values(registration), _as(errors, "sessions")),
                chosen={str(c) for c in chosen},
            ),
        )

    @post("/registrations/{registration_id:uuid}/resend", status_code=303)
    async def resend(self, registration_id: FromPath[UUID], console: forms.Page) -> Response[Any]:
        registration, event = await _registration(console, registration_id)

        async def act() -> str:
            await people.resend_ticket(
                console.conn, event, registration.id, actor=console.principal.actor, now=console.now
            )
            return f"/console/registrations/{registration_id}?notice=resent"

        return await console.submit(
            act,
            lambda errors: self._person(console, registration_id, (_form_values(registration), _as(errors, "resend"))),
        )

    @post("/registrations/{registration_id:uuid}/move", status_code=303)
    async def move(self, registration_id: FromPath[UUID], data: forms.FormData, console: forms.Page) -> Response[Any]:
        registration, event = await _registration(console, registration_id)

        async def act() -> str:
            target = await events.get_event_for_actor(
                console.conn, data.get("event", ""), console.principal, *ORGANISER
            )
            choice = WHEN_FULL.get(data.get("when_full", ""), {})
            await people.move_person(
                console.conn,
                event,
                registration.id,
                target,
                over_capacity=bool(choice.get("over_capacity")),
                waitlist=bool(choice.get("waitlist")),
                actor=console.principal.actor,
                now=console.now,
                end_hooks=REGISTRATION_END_HOOKS,
            )
            return f"/console/registrations/{registration_id}?notice=moved"

        def show(errors: dict[str, str]) -> Any:
            moved = {
                "move_" + key if key in ("event", "when_full", "form") else key: code for key, code in errors.items()
            }
            values = {
                **_form_values(registration),
                "move_event": data.get("event", ""),
                "move_when_full": data.get("when_full", ""),
            }
            return self._person(console, registration_id, (values, _full(moved, "move_when_full")))

        return await console.submit(act, show)

    @get("/registrations/{registration_id:uuid}/erase")
    async def erase_page(self, registration_id: FromPath[UUID], console: forms.Page) -> Template:
        registration, event = await _registration(console, registration_id)
        return self._erase_page(console, registration, event, {})

    def _erase_page(
        self, console: forms.Console, registration: Registration, event: Event, errors: dict[str, str]
    ) -> Template:
        return console.page(
            "console/person_erase.html",
            ({}, errors),
            (LABELS, ERRORS),
            event=event,
            section="registrations",
            registration=registration,
        )

    @post("/registrations/{registration_id:uuid}/erase", status_code=303)
    async def erase(self, registration_id: FromPath[UUID], data: forms.FormData, console: forms.Page) -> Response[Any]:
        """Erase on the person's request, once the box is ticked (the privacy domain's erasure, audited)."""
        registration, event = await _registration(console, registration_id)

        async def act() -> str:
            if data.get("confirm") != "yes":
                raise forms.FormErrors({"confirm": "confirmation_required"})
            await people.erase_person(
                console.conn,
                event,
                registration.id,
                actor=console.principal.actor,
                now=console.now,
                end_hooks=REGISTRATION_END_HOOKS,
            )
            return f"/console/events/{event.slug}/registrations?notice=erased"

        return await console.submit(act, lambda errors: self._erase_page(console, registration, event, errors))


def _full(errors: dict[str, str], field: str = "when_full") -> dict[str, str]:
    """A full event is answered by the "if the event is full" choice: the error goes there."""
    return {(field if code == "event_full" else name): code for name, code in errors.items()}


def _answers_by_field(errors: dict[str, str]) -> dict[str, str]:
    """A refused answer (`answers_<question id>`) is shown by its question's field (`q_<question id>`)."""
    return {name.replace("answers_", "q_", 1): code for name, code in errors.items()}


def _as(errors: dict[str, str], field: str) -> dict[str, str]:
    """A refusal of a form without fields (re-send) is shown by its button."""
    codes = list(errors.values())
    return {field: codes[0]} if codes else {}
