"""problem+json (RFC 9457): one shape for every error the service answers with."""

from __future__ import annotations

from typing import Any

import msgspec

from .errors import DomainError
from .i18n import Language, gettext

PROBLEM_MEDIA_TYPE = "application/problem+json"

# code -> English title (the msgid; catalogs translate it). Codes are stable API.
TITLES: dict[str, str] = {
    "validation_failed": "The request has invalid fields",
    "malformed_request": "The request could not be read",
    "not_found": "Not found",
    "event_not_found": "The event does not exist",
    "registration_not_found": "The registration does not exist",
    "ticket_not_found": "The ticket does not exist",
    "method_not_allowed": "Method not allowed",
    "unauthorized": "Sign-in required",
    "invalid_token": "The access token is not valid",
    "forbidden": "You may not do this",
    "not_in_scope": "You may not act on this event",
    "slug_taken": "An event with this address already exists",
    "already_registered": "This e-mail address is already registered for the event",
    "registration_not_open": "Registration has not opened yet",
    "registration_closed": "Registration is closed",
    "event_cancelled": "The event is cancelled",
    "event_not_published": "The event is not published",
    "event_over": "The event is over",
    "capacity_below_confirmed": "The capacity is lower than the number of confirmed registrations",
    "idempotency_key_in_flight": "A request with this Idempotency-Key is still being processed",
    "idempotency_key_reused": "This Idempotency-Key was used with a different request",
    "invalid_idempotency_key": "The Idempotency-Key header is not valid",
    "already_cancelled": "The registration is already cancelled",
    "not_waitlisted": "The registration is not on the waiting list",
    "not_cancellable": "The registration cannot be changed now",
    "body_too_large": "The request body is too large",
    "too_many_requests": "Too many requests",
    "busy": "The service is busy; try again in a moment",
    "internal_error": "Something went wrong on our side",
    "user_exists": "A user with this e-mail address already exists",
    "invalid_question": "The question is not valid",
    "too_many_questions": "An event can have at most 10 custom questions",
    "answer_required": "A required question is not answered",
    "invalid_answer": "An answer does not fit its question",
    "unknown_question": "The event has no such question",
    "event_full": "No seat is free",
    "invalid_email": "The e-mail address is not valid",
    "invalid_role": "The role is not valid",
    "invalid_time": "The times do not fit together",
    "invalid_title": "The title is not valid",
    "privacy_not_accepted": "The privacy notice must be accepted",
    "slack_off": "Slack is not configured",
    "invalid_slack_signature": "The request is not correctly signed by Slack",
    "invalid_audience": "The recipients are not valid",
    "send_at_in_past": "The time to send is in the past",
    "announcement_not_found": "The announcement does not exist",
    "announcement_cancelled": "The announcement is cancelled",
    "announcement_sent": "The announcement is already being sent",
}


class FieldError(msgspec.Struct, omit_defaults=True):
    field: str
    message: str
    code: str = "invalid"


class Problem(msgspec.Struct, omit_defaults=True):
    type: str
    code: str
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] = []
    extra: dict[str, Any] = {}


def problem_type(code: str) -> str:
    return f"urn:moteplass:problem:{code}"


def title_for(code: str, language: Language) -> str:
    return gettext(language, TITLES.get(code, TITLES["malformed_request"]))


def from_domain_error(error: DomainError, language: Language) -> Problem:
    errors = [FieldError(field=error.field, message=error.detail or error.code, code=error.code)] if error.field else []
    return Problem(
        type=problem_type(error.code),
        code=error.code,
        title=title_for(error.code, language),
        status=error.status,
        detail=error.detail,
        errors=errors,
        extra={k: v for k, v in error.extra.items() if v is not None},
    )


def make(
    code: str, status: int, language: Language, detail: str = "", errors: list[FieldError] | None = None
) -> Problem:
    return Problem(
        type=problem_type(code),
        code=code,
        title=title_for(code, language),
        status=status,
        detail=detail,
        errors=errors or [],
    )
