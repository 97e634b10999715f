"""Reading the console's HTML forms into the domains' input types, and their errors back onto fields.

Times are typed in Norwegian time (`datetime-local`, Europe/Oslo) and stored as timestamptz.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from ..errors import DomainError
from ..i18n import LANGUAGES
from ..problems import field_of

OSLO = ZoneInfo("Europe/Oslo")
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
    "invalid": "Check what you wrote here.",
    "required": "Fill this in.",
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
    "too_long": "This is too long.",
}


class FormErrors(Exception):
    """Errors by field name of the form; the page shows the form again with them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


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


def code_of_validation(error: msgspec.ValidationError) -> str:
    message = str(error)
    if "length <=" in message:
        return "too_long"
    if "length >=" in message or "required field" in message:
        return "required"
    return "invalid"


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
    capacity = form.get("capacity", "").strip()
    if capacity.isdigit() and len(capacity) < 7:
        values["capacity"] = int(capacity)
    else:
        errors["capacity"] = "invalid_number"
    retention = form.get("retention_days", "").strip()
    if not retention:
        values["retention_days"] = None
    elif retention.isdigit() and 1 <= int(retention) <= 3650:
        values["retention_days"] = int(retention)
    else:
        errors["retention_days"] = "invalid_number"
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
