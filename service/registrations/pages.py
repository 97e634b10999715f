"""The attendee's pages: the registration form, the ticket (with its QR images) and the manage page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from .. import ratelimit
from ..certificates import domain as certificates
from ..errors import DomainError, NotFound
from ..events import domain as events
from ..events import queries as event_queries
from ..events.schemas import Event
from ..hooks import REGISTRATION_END_HOOKS
from ..http import Config, Conn, Now, request_language
from ..i18n import Language, pick
from ..problems import field_of
from ..programme import domain as programme
from ..programme import queries as programme_queries
from ..programme.items import event_item
from ..programme.pages import calendar_links
from ..settings import Settings
from ..web import forms
from ..web.render import page as render_page
from ..workshops import queries as workshop_queries
from ..workshops.manage import workshop_context
from . import domain, links, queries, renew
from .access import by_code
from .schemas import ATTENDEE_ROLES, PARTNERS, NewLinkIn, Registration, RegistrationIn, RegistrationPatch
from .tickets import ticket_images

ROLE_LABELS = {
    "municipal_employee": "Municipal employee",
    "researcher": "Researcher",
    "student": "Student",
    "user_representative": "User representative or next of kin",
    "other": "Other",
}
FIELDS = ("name", "email", "organisation", "role", "dietary", "accessibility", "language")
FIELD_LABELS = {
    "name": "Name",
    "email": "E-mail",
    "organisation": "Organisation",
    "role": "Role",
    "dietary": "Dietary needs",
    "accessibility": "Accessibility needs",
    "language": "Language for e-mails",
    "accept_privacy": "I have read how my information is used",
    "sessions": "Sessions",
    "form": "The form",
}
ERROR_TEXTS = {
    **forms.ERROR_TEXTS,
    "name.required": "Write your name.",
    "email.required": "Write your e-mail address, like name@kommune.no.",
    "email.invalid": "Check the e-mail address: it should look like name@kommune.no, with no spaces.",
    "email.too_long": "An e-mail address has at most 254 characters.",
    "privacy_not_accepted": "You must accept this to register.",
    "answer_required": "This question must be answered.",
    "invalid_answer": "Choose one of the answers.",
    "registration_closed": "Registration is closed.",
    "registration_not_open": "Registration has not opened yet.",
    "event_cancelled": "The event is cancelled.",
    "event_over": "The event is over.",
    "sessions_overlap": "Two of the sessions you chose take place at the same time. Choose one.",
    "unknown_session": "That session is not in the programme.",
    "session_not_choosable": "That session is not one you choose.",
}
# A ticket's picture and page are one person's: a browser may keep them (the door may have no network), no
# shared cache may. Manage pages are not kept at all.
TICKET_IMAGE_CACHE = {"Cache-Control": "private, max-age=86400"}
TICKET_PAGE_CACHE = {"Cache-Control": "private, no-cache"}
NOT_STORED = CacheControlHeader(no_store=True)


def page(request: Request[Any, Any, Any], template: str, **context: Any) -> Template:
    """A public page with the forms' field labels and error texts (a page may add labels: its questions')."""
    return render_page(request, template, **{"field_labels": FIELD_LABELS, "error_texts": ERROR_TEXTS, **context})


def question_labels(questions: list[Any], language: Language) -> dict[str, str]:
    """The error summary's label of each question's field, in the page's language."""
    return {**FIELD_LABELS, **{f"q_{q.id}": pick(q.label, language) for q in questions}}


def _form_to_input(form: dict[str, str], questions: list[Any]) -> dict[str, Any]:
    data: dict[str, Any] = {name: form.get(name, "").strip() for name in FIELDS}
    if not data["role"]:
        data["role"] = None
    if not data["language"]:
        del data["language"]
    data["accept_privacy"] = form.get("accept_privacy") == "yes"
    data["answers"] = answers_from_form(form, questions)
    data["sessions"] = [str(s) for s in programme.chosen_from_form(form)]
    return data


def answers_from_form(form: dict[str, str], questions: list[Any]) -> dict[str, Any]:
    """The answers to the event's questions from their fields (registrations/_questions.html): yes/no as a
    boolean, text and choices as text; an empty field is no answer."""
    answers: dict[str, Any] = {}
    for question in questions:
        key = f"q_{question.id}"
        if question.kind == "yes_no":
            if form.get(key) in ("yes", "no"):
                answers[str(question.id)] = form[key] == "yes"
        elif form.get(key, "").strip():
            answers[str(question.id)] = form[key].strip()
    return answers


def answer_values(answers: dict[str, Any]) -> dict[str, str]:
    """Stored answers as the question fields show them (the reverse of answers_from_form)."""
    return {
        f"q_{key}": ("yes" if answer else "no") if isinstance(answer, bool) else str(answer)
        for key, answer in answers.items()
    }


def form_errors(values: dict[str, Any], questions: list[Any], schema: type[msgspec.Struct]) -> dict[str, str]:
    """Every error of the sign-up form at once: each field against the schema, the privacy box, and each
    question by the domain's own answer check. The domain checks all of it again when registering."""
    errors = forms.field_errors(values, schema)
    errors.pop("answers", None)  # named by question below
    answers = values.get("answers", {})
    for question in questions:
        key = str(question.id)
        try:
            domain.check_answers([msgspec.structs.asdict(question)], {key: answers[key]} if key in answers else {})
        except DomainError as error:
            errors[f"q_{key}"] = error.code
    if values.get("accept_privacy") is not True:
        errors["accept_privacy"] = "privacy_not_accepted"
    return errors


async def _programme_context(
    conn: Conn, settings: Settings, registration: Registration, event: Event, language: Language
) -> dict[str, Any]:
    """The manage and ticket pages' programme part: chosen sessions, the choice form, calendar links."""
    sessions = await programme.list_sessions(conn, event.id)
    choices = await programme_queries.choices_of(conn, registration.id)
    by_id = {s.id: s for s in sessions}
    links_ = None
    if registration.status == "confirmed":
        item = event_item(settings, event, language, uid="", sequence=0)
        links_ = calendar_links(settings, item, links.agenda_url(settings, registration))
    return {
        "groups": programme.choice_groups(sessions),
        "chosen": {str(c.session_id) for c in choices},
        "choices": [(by_id[c.session_id], c) for c in choices if c.session_id in by_id],
        "calendar": links_,
    }


async def manage_page(
    request: Request[Any, Any, Any],
    conn: Conn,
    settings: Settings,
    registration: Registration,
    code: str,
    *,
    now: Any,
    status_code: int = 200,
    **shown: Any,
) -> Template:
    """The manage page; `shown` replaces parts of it (a refused form's values and errors, a notice)."""
    event = await event_queries.event_by_id(conn, registration.event_id)
    assert event is not None
    language = request_language(request)
    questions = await queries.questions(conn, registration.event_id)
    context: dict[str, Any] = {
        **await _programme_context(conn, settings, registration, event, language),
        "registration": registration,
        "event": event,
        "code": code,
        "questions": questions,
        "values": answer_values(registration.answers),
        "field_labels": question_labels(questions, language),
        "ticket_url": links.ticket_url(settings, registration),
        "roles": ROLE_LABELS,
        "welcome": False,
        "workshop": await workshop_context(conn, registration, event, now=now) if event.kind == "workshop" else None,
        "notice": None,
        "errors": {},
        "partners": PARTNERS,
        "state": event.registration_state(now),
        "certificate": await certificates.has_certificate(conn, event, registration.id, now=now),
    }
    template = page(request, "registrations/manage.html", **{**context, **shown})
    template.status_code = status_code
    return template


class RegistrationPages(Controller):
    include_in_schema = False

    @get("/events/{slug:str}/register")
    async def form(
        self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, now: Now
    ) -> Template | Redirect:
        event = await events.get_event(conn, slug)
        if event.kind == "workshop":  # ranked perspectives and series dates: service/workshops/pages.py
            return Redirect(f"/workshops/{slug}/register?lang={request_language(request)}", status_code=303)
        questions = await queries.questions(conn, event.id)
        return page(
            request,
            "registrations/form.html",
            event=event,
            questions=questions,
            values={},
            errors={},
            state=event.registration_state(now),
            partners=PARTNERS,
            roles=ROLE_LABELS,
            groups=programme.choice_groups(await programme.list_sessions(conn, event.id)),
            chosen=set(),
        )

    @post("/events/{slug:str}/register", status_code=303)
    async def submit(
        self,
        slug: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        now: Now,
        settings: Config,
    ) -> Response[Any]:
        await ratelimit.limit(request, conn, data.get("email"), now=now)
        event = await events.get_event(conn, slug)
        questions = await queries.questions(conn, event.id)
        language = request_language(request)
        values = _form_to_input(data, questions)
        errors = form_errors(values, questions, RegistrationIn)
        if not errors:
            try:
                attendee = msgspec.convert(values, RegistrationIn)
                registration, _choices = await programme.register_with_sessions(conn, slug, attendee, now=now)
            except msgspec.ValidationError as error:
                errors[field_of(error, top=True) or "form"] = forms.code_of_validation(error)
            except DomainError as error:
                if error.code == "already_registered":
                    return Redirect(f"/events/{slug}/registered?lang={language}", status_code=303)
                errors[(error.field or "form").replace("answers.", "q_")] = error.code
            else:
                return Redirect(f"{links.manage_url(settings, registration)}?welcome=1", status_code=303)
        template = page(
            request,
            "registrations/form.html",
            event=event,
            questions=questions,
            values=data,
            errors=errors,
            field_labels=question_labels(questions, language),
            state=event.registration_state(now),
            partners=PARTNERS,
            roles=ROLE_LABELS,
            groups=programme.choice_groups(await programme.list_sessions(conn, event.id)),
            chosen=set(data.values()),
        )
        template.status_code = 422
        return template

    @get("/events/{slug:str}/registered")
    async def already(self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn) -> Template:
        event = await events.get_event(conn, slug)
        return page(request, "registrations/already.html", event=event)

    @get("/events/{slug:str}/new-link")
    async def new_link_form(self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn) -> Template:
        event = await events.get_event(conn, slug)
        return page(request, "registrations/new_link.html", event=event, sent=False, values={}, errors={})

    @post("/events/{slug:str}/new-link", status_code=200)
    async def new_link(
        self,
        slug: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        now: Now,
    ) -> Template:
        """The same page whether or not the address is registered (service/registrations/renew.py)."""
        email = data.get("email", "").strip()
        await ratelimit.limit(request, conn, email or None, now=now)
        event = await events.get_event(conn, slug)
        try:
            wanted = forms.convert({"event": slug, "email": email}, NewLinkIn)
        except forms.FormErrors as error:
            values = {"email": email}
            template = page(
                request, "registrations/new_link.html", event=event, sent=False, values=values, errors=error.errors
            )
            template.status_code = 422
            return template
        await renew.renew_links_by_email(conn, event.id, email=wanted.email, now=now)
        return page(request, "registrations/new_link.html", event=event, sent=True, values={}, errors={})

    @get("/t/{code:str}")  # the ticket code, then .png or .svg for its QR image
    async def ticket(
        self, code: FromPath[str], request: Request[Any, Any, Any], conn: Conn, settings: Config
    ) -> Response[Any]:
        code, _, suffix = code.partition(".")
        registration = await by_code(conn, settings, links.TICKET, code)
        if registration.status != "confirmed":
            raise NotFound("ticket_not_found", "the ticket is no longer valid")
        if suffix in ("png", "svg"):
            png, svg = await ticket_images(conn, settings, registration)
            if suffix == "png":
                return Response(png, media_type="image/png", headers=TICKET_IMAGE_CACHE)
            return Response(svg.encode(), media_type="image/svg+xml", headers=TICKET_IMAGE_CACHE)
        if suffix:
            raise NotFound("not_found", "no such file")
        event = await event_queries.event_by_id(conn, registration.event_id)
        assert event is not None
        rendered = page(
            request,
            "registrations/ticket.html",
            **await _programme_context(conn, settings, registration, event, request_language(request)),
            registration=registration,
            event=event,
            group=await workshop_queries.group_of(conn, registration.id),
            code=code,
            svg_url=f"/t/{quote(code)}.svg",
        )
        rendered.headers = {**rendered.headers, **TICKET_PAGE_CACHE}
        return rendered

    @get("/r/{code:str}", cache_control=NOT_STORED)
    async def manage(
        self, code: FromPath[str], request: Request[Any, Any, Any], conn: Conn, settings: Config, now: Now
    ) -> Template:
        registration = await by_code(conn, settings, links.MANAGE, code)
        return await manage_page(
            request,
            conn,
            settings,
            registration,
            code,
            now=now,
            welcome=request.query_params.get("welcome") == "1",
            notice=request.query_params.get("notice"),
        )

    @post("/r/{code:str}", status_code=303)
    async def change(
        self,
        code: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        settings: Config,
        now: Now,
    ) -> Response[Any]:
        registration = await by_code(conn, settings, links.MANAGE, code)
        questions = await queries.questions(conn, registration.event_id)
        values = _form_to_input(data, questions)
        values.pop("email", None)
        values.pop("accept_privacy", None)
        values.pop("sessions", None)  # chosen with their own form
        try:
            patch = msgspec.convert(values, RegistrationPatch)
            await domain.update_registration(conn, registration.id, patch, actor=domain.ATTENDEE, now=now)
        except (msgspec.ValidationError, DomainError) as error:
            field = (field_of(error, top=True) if isinstance(error, msgspec.ValidationError) else error.field) or "form"
            problem = error.code if isinstance(error, DomainError) else "invalid"
            return await manage_page(
                request,
                conn,
                settings,
                registration,
                code,
                now=now,
                status_code=422,
                values=data,
                errors={field.replace("answers.", "q_"): problem},
            )
        return Redirect(f"/r/{code}?notice=saved", status_code=303)

    @post("/r/{code:str}/sessions", status_code=303)
    async def choose(
        self,
        code: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        settings: Config,
        now: Now,
    ) -> Response[Any]:
        registration = await by_code(conn, settings, links.MANAGE, code)
        try:
            chosen = programme.chosen_from_form(data)
            await programme.choose_sessions(conn, registration.id, chosen, actor=domain.ATTENDEE, now=now)
        except DomainError as error:
            return await manage_page(
                request,
                conn,
                settings,
                registration,
                code,
                now=now,
                status_code=422,
                chosen=set(data.values()),
                errors={"sessions": error.code},
            )
        return Redirect(f"/r/{code}?notice=sessions#sessions", status_code=303)

    @get("/r/{code:str}/cancel", cache_control=NOT_STORED)
    async def cancel_confirm(
        self, code: FromPath[str], request: Request[Any, Any, Any], conn: Conn, settings: Config
    ) -> Response[Any]:
        """Asks before cancelling: a tap in a pocket must not give a seat away."""
        registration = await by_code(conn, settings, links.MANAGE, code)
        language = request_language(request)
        if registration.status == "cancelled":
            return Redirect(f"/r/{code}?lang={language}", status_code=303)
        event = await event_queries.event_by_id(conn, registration.event_id)
        assert event is not None
        return page(request, "registrations/cancel.html", registration=registration, event=event, code=code)

    @post("/r/{code:str}/cancel", status_code=303)
    async def cancel(
        self,
        code: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        settings: Config,
        now: Now,
    ) -> Redirect:
        """Cancels only with the confirmation page's `confirm=yes`; anything else is shown that page first."""
        registration = await by_code(conn, settings, links.MANAGE, code)
        language = request_language(request)
        if data.get("confirm") != "yes":
            return Redirect(f"/r/{code}/cancel?lang={language}", status_code=303)
        if registration.status != "cancelled":
            await domain.cancel_registration(
                conn, registration.id, actor=domain.ATTENDEE, now=now, end_hooks=REGISTRATION_END_HOOKS
            )
        return Redirect(f"/r/{code}?notice=cancelled&lang={language}", status_code=303)

    @post("/r/{code:str}/register-again", status_code=303)
    async def register_again(
        self, code: FromPath[str], request: Request[Any, Any, Any], conn: Conn, settings: Config, now: Now
    ) -> Redirect:
        """The way back after cancelling: a new registration with the same answers (a seat if one is free, else
        the waiting list), at a new manage link. Refusals (closed, registered again already) come back here."""
        registration = await by_code(conn, settings, links.MANAGE, code)
        language = request_language(request)
        event = await event_queries.event_by_id(conn, registration.event_id)
        assert event is not None
        if registration.status != "cancelled":
            return Redirect(f"/r/{code}?lang={language}", status_code=303)
        if registration.email is None:  # added by hand without an address: the public form asks for one
            return Redirect(f"/events/{event.slug}/register?lang={language}", status_code=303)
        if event.kind == "workshop":  # perspectives are ranked again on the sign-up form
            return Redirect(f"/workshops/{event.slug}/register?lang={language}", status_code=303)
        attendee = RegistrationIn(
            name=registration.name,
            email=registration.email,
            accept_privacy=True,
            organisation=registration.organisation,
            role=registration.role,  # type: ignore[arg-type]  # stored from the same Literal
            dietary=registration.dietary,
            accessibility=registration.accessibility,
            language=registration.language,
            answers=registration.answers,
        )
        try:
            again, _choices = await programme.register_with_sessions(conn, event.slug, attendee, now=now)
        except DomainError as error:
            return Redirect(f"/r/{code}?notice={quote(error.code)}&lang={language}", status_code=303)
        return Redirect(f"{links.manage_url(settings, again)}?welcome=1&lang={language}", status_code=303)

    @post("/r/{code:str}/erase", status_code=303)
    async def erase(
        self, code: FromPath[str], request: Request[Any, Any, Any], conn: Conn, settings: Config, now: Now
    ) -> Response[Any]:
        registration = await by_code(conn, settings, links.MANAGE, code)
        event = await event_queries.event_by_id(conn, registration.event_id)
        await domain.delete_registration(conn, registration.id, now=now, end_hooks=REGISTRATION_END_HOOKS)
        template = page(request, "registrations/erased.html", event=event)
        template.status_code = 200
        return template


_ = ATTENDEE_ROLES
