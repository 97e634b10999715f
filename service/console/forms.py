"""The console's form pages: reading HTML forms into the domains' input types, and their errors back onto fields.

Every console form page is two calls (STYLE.md, "forms the pretalx way"):

    return form_page(request, "console/doors.html", principal, values=values, errors=errors, labels=..., ...)

renders the form with what was typed and its errors (422 when there are any), and

    async def act() -> str:
        door = await doors.create_door(conn, event, name=forms.convert(data, DoorIn).name, ...)
        return f"/console/events/{slug}/doors/{door.id}"

    return await submit(act, lambda errors: page(values=data, errors=errors))

converts, acts and redirects (303) to the path `act` returns, or shows the form again with every error of
the form (FormErrors), of the conversion (msgspec) or of the domain's refusal. A refusal of the person rather
than of the form (401, 403, 404 with no field) passes through to the console's error page and sign-in.

Times are typed in Norwegian time (`datetime-local`, Europe/Oslo) and stored as timestamptz.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.di import NamedDependency, Provide
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from ..accounts.schemas import Principal
from ..errors import DomainError
from ..events import domain as events
from ..events.schemas import Event
from ..i18n import LANGUAGES
from ..problems import field_of
from ..types import OSLO
from ..web import forms as web_forms
from ..web.forms import FormErrors, code_of_validation, convert
from .guard import ORGANISER, console_page

__all__ = ["Console", "FormErrors", "code_of_validation", "convert", "form_page", "submit"]

TIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
TEXT_FIELDS = ("venue", "address", "organiser_name", "series")
LOCALIZED = ("title", "description")

# Field -> English label (msgid), for the error summary.
FIELD_LABELS = {
    "slug": "Web address",
    "kind": "Kind",
    "title_nb": "Title (bokmål)",
    "title_nn": "Title (nynorsk)",
    "title_en": "Title (English)",
    "description_nb": "Description (bokmål)",
    "description_nn": "Description (nynorsk)",
    "description_en": "Description (English)",
    "venue": "Venue",
    "address": "Address",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "capacity": "Capacity",
    "retention_days": "Days personal data is kept",
    "allow_walk_ins": "Doors may register walk-ins (people who come without registering)",
    "registration_opens_at": "Registration opens",
    "registration_closes_at": "Registration closes",
    "series": "Series",
    "organiser_name": "Organiser",
    "label_nb": "Question (bokmål)",
    "label_nn": "Question (nynorsk)",
    "label_en": "Question (English)",
    "choices_nb": "Choices (bokmål)",
    "choices_nn": "Choices (nynorsk)",
    "choices_en": "Choices (English)",
    "question_kind": "Kind of answer",
    "email": "E-mail",
    "role": "Role",
    "name": "Name",
    "language": "Language",
    "events": "Events",
    "form": "The form",
}
# Error code -> English text (msgid) shown by the field.
ERROR_TEXTS = {
    **web_forms.ERROR_TEXTS,
    "invalid_datetime": "Write a date and time, like 10.06.2027 09:00.",
    "invalid_number": "Write a whole number, 0 or more.",
    "invalid_slug": "Use small letters a–z, digits and hyphens, like kk-konferansen-2027.",
    "slug_taken": "Another event already has this address.",
    "not_series_organiser": "Only the organisers of this series can add dates to it. Choose another name, or ask "
    "one of them to add you.",
    "invalid_time": "This must be after the time before it.",
    "capacity_below_confirmed": "More people than this are already confirmed.",
    "event_cancelled": "A cancelled event cannot be changed.",
    "invalid_question": "A choice question needs at least two choices; other questions have none.",
    "too_many_questions": "An event can have at most 10 custom questions.",
    "invalid_email": "Write a whole e-mail address, like kari@bergen.kommune.no.",
    "user_exists": "This person already has an account.",
    "email.invalid": "Write a whole e-mail address, like kari@bergen.kommune.no.",
    "email.required": "Write the person's e-mail address, like kari@bergen.kommune.no.",
}
PASSED_THROUGH = (401, 403, 404)  # refusals of the person, not of the form: the error page or sign-in

FormError = FormErrors | msgspec.ValidationError | DomainError
Shown = Template | Awaitable[Template]


def form_page(
    request: Request[Any, Any, Any],
    template: str,
    principal: Principal | None,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    labels: dict[str, str] | None = None,
    texts: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """A console page with a form: what was typed, every error by field (with the texts the summary and the
    fields show), 422 when there are errors."""
    return console_page(
        request,
        template,
        principal,
        status_code=422 if errors else 200,
        values=values,
        errors=errors,
        field_labels=FIELD_LABELS if labels is None else labels,
        error_texts=ERROR_TEXTS if texts is None else texts,
        **context,
    )


class Console:
    """What a console form page works with: the request, its connection, the signed-in person and the time.
    A controller gets it as the `console` dependency (FORM_PAGES); `page` renders, `submit` acts."""

    def __init__(
        self, request: Request[Any, Any, Any], conn: asyncpg.Connection, principal: Principal, now: datetime
    ) -> None:
        self.request, self.conn, self.principal, self.now = request, conn, principal, now

    async def event(self, slug: str) -> Event:
        """The event, when this person organises it (else Forbidden or NotFound, passed through)."""
        return await events.get_event_for_actor(self.conn, slug, self.principal, *ORGANISER)

    @property
    def notice(self) -> str | None:
        return self.request.query_params.get("notice")

    def page(
        self,
        template: str,
        state: State,
        texts: Texts = None,
        *,
        event: Event | None = None,
        section: str = "",
        **context: Any,
    ) -> Template:
        """The form page: `state` is (values, errors); `texts` is (labels, error texts) when not the defaults;
        with `event`, the event's tabs (`section` the current one)."""
        labels, messages = texts or (None, None)
        slug = event.slug if event else None
        return form_page(
            self.request,
            template,
            self.principal,
            values=state[0],
            errors=state[1],
            labels=labels,
            texts=messages,
            event_slug=slug,
            section=section,
            event=event,
            **context,
        )

    async def submit(
        self,
        act: Callable[[], Awaitable[str | Response[Any]]],
        show: Callable[[dict[str, str]], Shown],
        read: Callable[[Any], dict[str, str]] | None = None,
    ) -> Response[Any]:
        return await submit(act, show, read=read)


async def provide_console(
    request: Request[Any, Any, Any],
    conn: NamedDependency[asyncpg.Connection],
    principal: NamedDependency[Principal],
    now: NamedDependency[datetime],
) -> Console:
    return Console(request, conn, principal, now)


FORM_PAGES = {"console": Provide(provide_console)}  # a controller's dependencies, for its form pages
Page = NamedDependency[Console]
FormData = URLEncodedBody[dict[str, str]]
Texts = tuple[dict[str, str] | None, dict[str, str] | None] | None
State = tuple[dict[str, Any], dict[str, str]]  # a form's values and errors


def passes_through(error: FormError) -> bool:
    """Whether a refusal is the person's (not signed in, not allowed, nothing there) and not the form's."""
    return isinstance(error, DomainError) and error.status in PASSED_THROUGH and error.field is None


async def submit(
    act: Callable[[], Awaitable[str | Response[Any]]],
    show: Callable[[dict[str, str]], Shown],
    *,
    read: Callable[[Any], dict[str, str]] | None = None,
) -> Response[Any]:
    """Convert, act and redirect: `act()` returns the path to go to (303), or a page of its own (a
    confirmation step). What the form, the conversion or the domain refuses is shown by `show(errors)`,
    the form again (403 when the refusal is about one field the person may not use, else 422); the person's
    own refusals (401, 403, 404 without a field) pass through. `read` names the errors for a form whose
    fields are not named as the domain names them (errors_of by default)."""
    try:
        outcome = await act()
    except (FormErrors, msgspec.ValidationError, DomainError) as error:
        if passes_through(error):
            raise
        shown = show((read or errors_of)(error))
        page = await shown if inspect.isawaitable(shown) else shown
        page.status_code = 403 if isinstance(error, DomainError) and error.status == 403 else 422
        return page
    return Redirect(outcome, status_code=303) if isinstance(outcome, str) else outcome


def parse_local_time(value: str) -> datetime | None:
    """A `datetime-local` value (or `dd.mm.yyyy hh:mm`) in Oslo time. Raises ValueError."""
    text = value.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=OSLO)
        except ValueError:
            continue
    raise ValueError(text)


def local_time_value(value: datetime | None) -> str:
    """The `datetime-local` value of a stored moment."""
    return value.astimezone(OSLO).strftime("%Y-%m-%dT%H:%M") if value else ""


def field_of_validation(error: msgspec.ValidationError) -> str:
    """`$.title.nb` -> title_nb; `missing required field `slug`` -> slug."""
    field = field_of(error)
    return field.split("[")[0].replace(".", "_") if field else "form"


def field_of_domain(error: DomainError) -> str:
    return (error.field or "form").replace(".", "_")


def errors_of(error: FormErrors | msgspec.ValidationError | DomainError) -> dict[str, str]:
    """The field errors a form shows for what its handling raised."""
    if isinstance(error, FormErrors):
        return error.errors
    if isinstance(error, msgspec.ValidationError):
        return {field_of_validation(error): code_of_validation(error)}
    return {field_of_domain(error): error.code}


def read_count(form: dict[str, str], name: str, values: dict[str, Any], errors: dict[str, str], *, digits: int) -> None:
    """A whole number of at most `digits` digits into values[name], or errors[name] = invalid_number."""
    text = form.get(name, "").strip()
    if text.isdigit() and len(text) <= digits:
        values[name] = int(text)
    else:
        errors[name] = "invalid_number"


def event_values(form: dict[str, str], *, creating: bool) -> dict[str, Any]:
    """The event form as the API's JSON would have it. Raises FormErrors for times and numbers."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if creating:
        values["slug"] = form.get("slug", "").strip()
        values["kind"] = form.get("kind", "")
        if not values["slug"]:
            errors["slug"] = "required"
    for name in LOCALIZED:
        texts = {code: form.get(f"{name}_{code}", "").strip() for code in LANGUAGES}
        values[name] = {code: text for code, text in texts.items() if text}
    if not values["title"].get("nb"):
        errors["title_nb"] = "required"
    for name in TEXT_FIELDS:
        values[name] = form.get(name, "").strip()
    values["series"] = values["series"] or None
    for name in TIME_FIELDS:
        try:
            values[name] = parse_local_time(form.get(name, ""))
        except ValueError:
            errors[name] = "invalid_datetime"
    for name in ("starts_at", "ends_at"):
        if values.get(name) is None and name not in errors:
            errors[name] = "required"
    read_count(form, "capacity", values, errors, digits=6)
    retention = form.get("retention_days", "").strip()
    if not retention:
        values["retention_days"] = None
    elif retention.isdigit() and 1 <= int(retention) <= 3650:
        values["retention_days"] = int(retention)
    else:
        errors["retention_days"] = "invalid_number"
    values["allow_walk_ins"] = form.get("allow_walk_ins") == "yes"
    if errors:
        raise FormErrors(errors)
    if not values["description"]:
        values["description"] = None if creating else {"nb": ""}
    return values


def event_form_values(event: Any) -> dict[str, str]:
    """A stored event as the form's values."""
    values: dict[str, str] = {
        "slug": event.slug,
        "kind": event.kind,
        "capacity": str(event.capacity),
        "retention_days": str(event.retention_days or ""),
        "allow_walk_ins": "yes" if event.allow_walk_ins else "",
        **{name: getattr(event, name) or "" for name in TEXT_FIELDS},
        **{name: local_time_value(getattr(event, name)) for name in TIME_FIELDS},
    }
    for name in LOCALIZED:
        for code in LANGUAGES:
            values[f"{name}_{code}"] = getattr(event, name).get(code, "")
    return values


def question_values(form: dict[str, str]) -> dict[str, Any]:
    """The question form as QuestionIn's JSON: choices one per line, lined up across the languages."""
    label = {code: form.get(f"label_{code}", "").strip() for code in LANGUAGES}
    if not label["nb"]:
        raise FormErrors({"label_nb": "required"})
    lines = {code: [line.strip() for line in form.get(f"choices_{code}", "").splitlines()] for code in LANGUAGES}
    nb_lines = [line for line in lines["nb"] if line]
    choices = []
    for index, text in enumerate(nb_lines):
        choice = {"nb": text}
        for code in ("nn", "en"):
            translated = [line for line in lines[code] if line]
            if index < len(translated):
                choice[code] = translated[index]
        choices.append(choice)
    return {
        "kind": form.get("question_kind", ""),
        "label": {code: text for code, text in label.items() if text},
        "choices": choices,
        "required": form.get("required") == "yes",
    }
