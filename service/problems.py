"""problem+json (RFC 9457): one shape for every error the service answers with."""

from __future__ import annotations

import re
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
    "token_expired": "The access token has expired",
    "account_disabled": "The account is deactivated",
    "invalid_expiry": "The expiry is not valid",
    "forbidden": "You may not do this",
    "confirmation_required": "Confirm the erasure",
    "not_in_scope": "You may not act on this event",
    "slug_taken": "An event with this address already exists",
    "no_badges": "No confirmed registration matches the filter",
    "already_registered": "This e-mail address is already registered for the event",
    "registration_not_open": "Registration has not opened yet",
    "registration_closed": "Registration is closed",
    "event_cancelled": "The event is cancelled",
    "event_not_published": "The event is not published",
    "event_over": "The event is over",
    "event_not_ended": "The event has not ended yet",
    "no_certificates": "Nobody was checked in at this event",
    "not_checked_in": "No check-in for this registration",
    "capacity_below_confirmed": "The capacity is lower than the number of confirmed registrations",
    "idempotency_key_in_flight": "A request with this Idempotency-Key is still being processed",
    "idempotency_key_reused": "This Idempotency-Key was used with a different request",
    "invalid_idempotency_key": "The Idempotency-Key header is not valid",
    "already_cancelled": "The registration is already cancelled",
    "not_waitlisted": "The registration is not on the waiting list",
    "not_cancellable": "The registration cannot be changed now",
    "body_too_large": "The request body is too large",
    "body_timeout": "The request body did not arrive in time",
    "too_many_requests": "Too many requests",
    "busy": "The service is busy; try again in a moment",
    "internal_error": "Something went wrong on our side",
    "unavailable": "The service cannot answer right now; try again in a moment",
    "user_exists": "A user with this e-mail address already exists",
    "invalid_question": "The question is not valid",
    "too_many_questions": "An event can have at most 10 custom questions",
    "answer_required": "A required question is not answered",
    "invalid_answer": "An answer does not fit its question",
    "unknown_question": "The event has no such question",
    "event_full": "No seat is free",
    "no_email": "The person has no e-mail address",
    "not_same_series": "The events are not in the same series",
    "walk_ins_not_allowed": "This event does not take walk-ins at the door",
    "invalid_email": "The e-mail address is not valid",
    "invalid_role": "The role is not valid",
    "invalid_time": "The times do not fit together",
    "invalid_duration": "The duration is not valid",
    "duplicate_reminder": "The same reminder is listed twice",
    "too_many_reminders": "An event has at most 10 reminders",
    "invalid_title": "The title is not valid",
    "privacy_not_accepted": "The privacy notice must be accepted",
    # Surveys.
    "too_many_survey_questions": "A survey has at most 15 questions",
    "survey_answered": "The survey has answers; its questions can no longer change",
    "not_in_series": "The event is not part of a series",
    "survey_link_invalid": "The survey link is not valid",
    "already_answered": "The survey has already been answered with this link",
    "too_few_answers": "Results are shown from 5 answers",
    "invalid_rating": "A rating is a whole number from 1 to 5",
    "unknown_choice": "The question has no such choice",
    "no_answers": "Answer at least one question",
    # The programme.
    "session_not_found": "The session does not exist",
    "session_outside_event": "The session is not on the day of the event",
    "session_cancelled": "The session is cancelled",
    "session_has_choices": "Attendees have chosen this session",
    "capacity_below_chosen": "The capacity is lower than the number of attendees with a place",
    "unknown_session": "The session is not in this event's programme",
    "session_not_choosable": "This session is not one you choose",
    "sessions_overlap": "The chosen sessions take place at the same time",
    "prize_not_found": "The prize does not exist",
    "call_not_found": "The call for nominations does not exist",
    "nomination_not_found": "The nomination does not exist",
    "prize_slug_taken": "A prize with this address already exists",
    "call_year_taken": "The prize already has a call for this year",
    "nominations_not_open": "Nominations have not opened yet",
    "nominations_closed": "Nominations are closed",
    "not_a_juror": "This person has no jury account",
    "not_on_jury": "You are not on the jury of this prize",
    "jury_only": "Only jurors may do this",
    "conflict_of_interest": "You have declared a conflict of interest with this nomination",
    "scoring_locked": "Scoring is locked",
    "nomination_withdrawn": "The nomination was withdrawn",
    "unknown_criterion": "The call has no such criterion",
    "duplicate_criterion": "A criterion is scored twice",
    "incomplete_scores": "Every criterion must be scored",
    "already_withdrawn": "The nomination is already withdrawn",
    "withdrawal_closed": "The call has closed; the nomination can no longer be withdrawn",
    "nomination_decided": "The organisers have already decided on the nomination",
    "reason_required": "A reason is required",
    "scoring_not_locked": "Lock scoring before choosing the winner",
    "results_published": "The results are published",
    "winner_already_chosen": "Another winner was chosen at the same moment",
    "no_winner": "Choose a winner first",
    "not_a_workshop": "Only workshops have perspective groups",
    "group_key_taken": "The workshop already has a group with this key",
    "reserved_group_key": "This key cannot be used for a group",
    "group_not_found": "The workshop has no such group",
    "group_capacity_below_members": "More participants are placed in the group than the new capacity",
    "group_has_members": "Participants are placed in the group",
    "group_full": "The group is full",
    "unknown_group": "A ranked perspective is not a group of the workshop",
    "duplicate_perspective": "A perspective is ranked twice",
    "perspectives_required": "Rank at least one perspective",
    "no_groups": "The workshop has no groups yet",
    "not_enough_group_seats": "The groups have fewer seats than there are confirmed participants",
    "not_confirmed": "Only confirmed participants are placed in groups",
    "not_placed": "The participant is not in a group yet",
    "not_assigned": "The groups have not been assigned yet",
    "groups_published": "The groups are published; the organisers can move you",
    "series_not_found": "The series does not exist",
    "not_series_organiser": "You are not an organiser of this series",
    "not_an_organiser": "The user is not an organiser",
    "unknown_date": "The date is not a workshop of the series",
    "door_not_found": "The door does not exist",
    "door_name_taken": "The event already has a door with this name",
    "door_not_pairable": "The door cannot be paired any more",
    "door_only": "Only a paired door may do this",
    "pairing_invalid": "The pairing link is not valid",
    "code_or_registration": "Send either a ticket code or a registration",
    "search_too_short": "Search with at least 3 characters",
    "too_many_guesses": "Too many invalid codes from this door",
    "too_many_searches": "Too many searches from this door",
    "sign_in_failed": "The e-mail address or the password is wrong",
    "account_locked": "Too many wrong passwords; the account is locked for a while",
    "session_expired": "The session has ended; sign in again",
    "csrf_failed": "The form was out of date or not sent from Møteplass",
    "password_link_invalid": "The link is wrong, used or expired",
    "password_too_short": "The password is too short",
    "password_too_long": "The password is too long",
    "user_not_found": "No such user",
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


_AT_PATH = re.compile(r"at `\$\.?([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]+)`")


def path_of(error: msgspec.ValidationError | str) -> str | None:
    """Where a msgspec validation error points, as msgspec writes it after `$.`: `... - at `$.title.nb`` ->
    "title.nb", `$.links[0]` -> "links[0]"; None when the message gives no place (an error on the whole object)."""
    found = _AT_PATH.search(str(error))
    return found.group(1) if found and found.group(1) else None


def field_of(error: msgspec.ValidationError | str, *, top: bool = False) -> str | None:
    """The field a msgspec validation error is about: its path (see `path_of`), else the field named in
    `Object missing required field `slug`` at the top level. With `top`, only the outermost name (`title`, `links`),
    as a form with one input per field wants it. None when the message names no field."""
    field = path_of(error)
    if field is None:
        missing = _MISSING.search(str(error))
        field = missing.group(1) if missing else None
    if field is not None and top:
        field = field.split(".", 1)[0].split("[", 1)[0]
    return field
