"""Evaluation surveys: what an organiser asks, when it goes out, who gets it, and an anonymous answer.

A survey goes out `send_after` the end of each event it asks about (two hours unless chosen). For each such
event one job (`event.survey`) is queued for that time, named by the survey, the event, the survey's revision
(a new send time is a new revision) and the due time, so moving the event or the send time queues a new job
and the old one finds itself stale. When it runs, the fan-out claims an invitation for every checked-in
registration and queues that person's mail in the same transaction, and queues the reminder's fan-out three
days later; a second run (a restarted worker, a clock moved) finds the invitations taken and queues nothing.
The reminder claims `reminded_at` of those who have not answered, once.

An answer is stored without any link to the person: the invitation is marked answered (a flag, not a time)
and the answers go to survey_responses, which holds the survey, the event and the answers only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from .. import audit, jobs
from ..accounts.schemas import Principal
from ..errors import Conflict, Invalid, InvalidState, NotFound
from ..events import queries as event_queries
from ..events.schemas import Event
from ..reminders.schemas import format_duration, parse_duration
from ..types import localized
from . import queries
from .queries import SurveyRow
from .schemas import (
    DEFAULT_SEND_AFTER,
    MAX_QUESTIONS,
    REMIND_AFTER_SECONDS,
    TEXT_ANSWER_MAX,
    Question,
    ResponseRate,
    Survey,
    SurveyEvent,
    SurveyIn,
)
from .tokens import token_for, token_hash

FAN_OUT = "event.survey"
REMIND = "event.survey_reminder"
MAIL = "registration.survey"
LONGEST_WAIT = 30 * 86_400


class NotDueYet(InvalidState):
    """A fan-out ran before its due time (the clock moved back): it should run again in `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__("survey_not_due", f"the survey is due in {seconds:.0f} s")
        self.seconds = seconds


class AnswerErrors(Invalid):
    """Answers that break the survey's rules: every field's error at once (`errors`, by question id)."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, code = next(iter(errors.items()))
        super().__init__(code, f"the answer to question {field} is not valid", field=field)
        self.errors = errors


def due_at(event_ends_at: datetime, send_after_seconds: int) -> datetime:
    return event_ends_at + timedelta(seconds=send_after_seconds)


def fan_out_key(survey: SurveyRow, event_id: UUID, due: datetime) -> str:
    return f"{FAN_OUT}:{survey.id}:{event_id}:{survey.revision}:{int(due.timestamp())}"


def parse_send_after(text: str) -> int:
    """Seconds of an ISO 8601 duration between PT1M and P30D. Raises Invalid (invalid_duration)."""
    seconds = parse_duration(text, field="send_after")
    if seconds > LONGEST_WAIT:
        raise Invalid("invalid_duration", "a survey goes out at most P30D after the end", field="send_after")
    return seconds


def checked_questions(data: SurveyIn) -> list[tuple[str, dict[str, str], list[dict[str, str]]]]:
    """(kind, text, choices) per question. Raises Invalid (too_many_survey_questions, invalid_question)."""
    if len(data.questions) > MAX_QUESTIONS:
        raise Invalid("too_many_survey_questions", f"a survey has at most {MAX_QUESTIONS} questions", field="questions")
    checked: list[tuple[str, dict[str, str], list[dict[str, str]]]] = []
    for index, question in enumerate(data.questions):
        has_choices = question.kind in ("choice", "choices")
        if has_choices and len(question.choices) < 2:
            raise Invalid(
                "invalid_question", "a choice question needs at least two choices", field=f"questions[{index}]"
            )
        if not has_choices and question.choices:
            raise Invalid("invalid_question", "only choice questions have choices", field=f"questions[{index}]")
        checked.append((question.kind, localized(question.text), [localized(c) for c in question.choices]))
    return checked


async def _schedule(conn: asyncpg.Connection, survey: SurveyRow, event_id: UUID, ends_at: datetime) -> None:
    """Queue the fan-out for the event's due time (or at once when that has passed: a survey can be late)."""
    due = due_at(ends_at, survey.send_after_seconds)
    await jobs.enqueue(
        conn,
        FAN_OUT,
        {
            "survey_id": str(survey.id),
            "event_id": str(event_id),
            "revision": survey.revision,
            "due": int(due.timestamp()),
        },
        dedupe_key=fan_out_key(survey, event_id, due),
        run_after=due,
    )


async def _view(conn: asyncpg.Connection, survey: SurveyRow) -> Survey:
    return Survey(
        id=survey.id,
        questions=await queries.questions(conn, survey.id),
        send_after=format_duration(survey.send_after_seconds),
        events=[
            SurveyEvent(
                slug=row.slug,
                title=row.title,
                sends_at=due_at(row.ends_at, survey.send_after_seconds),
                sent=row.sent,
                answered=row.answered,
            )
            for row in await queries.events_of_survey(conn, survey.id)
        ],
    )


async def get_survey(conn: asyncpg.Connection, event: Event) -> Survey:
    """The event's survey; one with no id and no questions when it has none yet."""
    survey = await queries.survey_of_event(conn, event.id)
    if survey is None:
        return Survey(id=None, questions=[], send_after=DEFAULT_SEND_AFTER, events=[])
    return await _view(conn, survey)


def _same_questions(stored: list[Question], wanted: list[tuple[str, dict[str, str], list[dict[str, str]]]]) -> bool:
    return [(q.kind, q.text, q.choices) for q in stored] == wanted


async def set_survey(
    conn: asyncpg.Connection, event: Event, data: SurveyIn, *, actor: Principal, now: datetime
) -> Survey:
    """Make the event's survey `data` (and, with shared_with_series, that of every other date of its series),
    scheduled for each event. Raises Invalid (nothing changed), InvalidState (event_cancelled, not_in_series),
    Conflict (survey_answered: the questions of a survey with answers cannot change). Idempotent."""
    wanted = checked_questions(data)
    send_after = parse_send_after(data.send_after)
    async with conn.transaction():
        locked = await event_queries.event_for_update(conn, event.slug)
        if locked is None:
            raise NotFound("event_not_found", f"no event {event.slug!r}")
        if locked.status == "cancelled":
            raise InvalidState("event_cancelled", "a cancelled event sends no survey")
        if data.shared_with_series and not locked.series:
            raise InvalidState("not_in_series", "only the dates of a series can share a survey")
        current = await queries.survey_of_event(conn, locked.id)
        others = await queries.events_of_survey(conn, current.id) if current else []
        leaving = current is not None and not data.shared_with_series and any(o.id != locked.id for o in others)
        if current is None or leaving:
            if current is not None and await queries.count_responses(conn, current.id, locked.id):
                raise Conflict("survey_answered", "this date's answers belong to the shared survey")
            survey = await queries.create_survey(conn, send_after, now)
            await queries.attach(conn, locked.id, survey.id)
        else:
            survey = await queries.survey_for_update(conn, current.id) or current
            if not _same_questions(await queries.questions(conn, survey.id), wanted) and (
                await queries.count_responses(conn, survey.id)
            ):
                raise Conflict("survey_answered", "the questions of a survey with answers cannot change")
            survey = await queries.set_send_after(conn, survey.id, send_after, now) or survey
        if data.shared_with_series and locked.series:
            await _share_with_series(conn, survey, locked)
        if not _same_questions(await queries.questions(conn, survey.id), wanted):
            await queries.replace_questions(conn, survey.id, wanted)
        for row in await queries.events_of_survey(conn, survey.id):
            await _schedule(conn, survey, row.id, row.ends_at)
        await audit.record(
            conn,
            "event.survey_changed",
            actor=actor.actor,
            event_id=locked.id,
            data={
                "questions": len(wanted),
                "send_after": format_duration(send_after),
                "shared": data.shared_with_series,
            },
            at=now,
        )
        return await _view(conn, survey)


async def _share_with_series(conn: asyncpg.Connection, survey: SurveyRow, event: Event) -> None:
    """Point every other date of the series at `survey`; a date whose own survey has answers keeps it (Conflict)."""
    assert event.series is not None
    replaced: list[UUID] = []
    for date_id in await queries.series_dates(conn, event.series, event.id):
        own = await queries.survey_of_event(conn, date_id)
        if own is not None and own.id != survey.id:
            if await queries.count_responses(conn, own.id):
                raise Conflict("survey_answered", "another date of the series has answers to its own survey")
            replaced.append(own.id)
        await queries.attach(conn, date_id, survey.id)
    await queries.delete_orphans(conn, replaced)


async def copy_survey(conn: asyncpg.Connection, source: Event, copy: Event, *, now: datetime) -> int:
    """Give `copy` a survey of its own with the questions and timing of `source`'s (a copy is not in the series
    whose survey it may share), scheduled after the copy ends; how many questions. Runs in the caller's
    transaction; no answers or invitations are copied."""
    current = await queries.survey_of_event(conn, source.id)
    if current is None:
        return 0
    asked = await queries.questions(conn, current.id)
    if not asked:
        return 0
    survey = await queries.create_survey(conn, current.send_after_seconds, now)
    await queries.attach(conn, copy.id, survey.id)
    await queries.replace_questions(conn, survey.id, [(q.kind, q.text, q.choices) for q in asked])
    await _schedule(conn, survey, copy.id, copy.ends_at)
    return len(asked)


async def on_event_changed(conn: asyncpg.Connection, before: Event, after: Event, actor: str, now: datetime) -> None:
    """Event change hook: a new end time reschedules the survey (the old job goes stale)."""
    if before.ends_at == after.ends_at:
        return
    survey = await queries.survey_of_event(conn, after.id)
    if survey is not None:
        await _schedule(conn, survey, after.id, after.ends_at)


async def fan_out(
    conn: asyncpg.Connection, survey_id: UUID, event_id: UUID, *, revision: int, due: int, now: datetime, key: bytes
) -> dict[str, object]:
    """Claim an invitation for everyone checked in and queue their mails and the reminder, in one transaction.
    Raises NotDueYet before the due time. Idempotent: a second run claims and queues nothing."""
    async with conn.transaction():
        survey = await queries.survey_for_update(conn, survey_id, share=True)
        if survey is None or survey.revision != revision:
            return {"skipped": "survey changed"}
        current = await queries.survey_of_event(conn, event_id)
        event = await event_queries.event_by_id(conn, event_id)
        if current is None or current.id != survey_id or event is None:
            return {"skipped": "survey no longer asked"}
        due_time = due_at(event.ends_at, survey.send_after_seconds)
        if int(due_time.timestamp()) != due:
            return {"skipped": "event moved"}
        if event.status == "cancelled":
            return {"skipped": "event cancelled"}
        if now < due_time:
            raise NotDueYet((due_time - now).total_seconds())
        claimed, queued = await _invite_the_uninvited(conn, survey_id, event_id, now=now, key=key)
        remind_at = due_time + timedelta(seconds=REMIND_AFTER_SECONDS)
        await jobs.enqueue(
            conn,
            REMIND,
            {"survey_id": str(survey_id), "event_id": str(event_id), "due": int(remind_at.timestamp())},
            dedupe_key=f"{REMIND}:{survey_id}:{event_id}",
            run_after=remind_at,
        )
    return {"claimed": claimed, "queued": queued}


async def _invite_the_uninvited(
    conn: asyncpg.Connection, survey_id: UUID, event_id: UUID, *, now: datetime, key: bytes, late: bool = False
) -> tuple[int, int]:
    """An invitation and a first mail for each checked-in person of the event who has none; (claimed, queued).
    Those invited `late` (by the reminder's run) get no reminder after."""
    came = await queries.checked_in_uninvited(conn, event_id)
    claimed = await queries.claim_invitations(
        conn,
        survey_id,
        event_id,
        now=now,
        invitations=[(r, token_hash(token_for(key, r))) for r in came],
        without_reminder=late,
    )
    queued = await jobs.enqueue_many(
        conn, MAIL, [({"registration_id": str(r), "reminder": False}, mail_key(r, reminder=False)) for r in claimed]
    )
    return len(claimed), queued


async def remind(
    conn: asyncpg.Connection, survey_id: UUID, event_id: UUID, *, due: int, now: datetime, key: bytes
) -> dict[str, object]:
    """Three days after the survey: a reminder to each person it reached who has not answered, once; and the
    survey itself to those checked in since it went (a door that was offline synced its scans late), while the
    event still asks it. Raises NotDueYet before the due time. Idempotent."""
    if now.timestamp() < due:
        raise NotDueYet(due - now.timestamp())
    async with conn.transaction():
        claimed = await queries.claim_reminders(conn, survey_id, event_id, now)
        queued = await jobs.enqueue_many(
            conn, MAIL, [({"registration_id": str(r), "reminder": True}, mail_key(r, reminder=True)) for r in claimed]
        )
        late = 0
        survey = await queries.survey_of_event(conn, event_id)
        event = await event_queries.event_by_id(conn, event_id)
        if survey is not None and survey.id == survey_id and event is not None and event.status != "cancelled":
            late, _ = await _invite_the_uninvited(conn, survey_id, event_id, now=now, key=key, late=True)
    return {"claimed": len(claimed), "queued": queued, "late": late}


def mail_key(registration_id: UUID, *, reminder: bool) -> str:
    return f"{MAIL}:{'reminder' if reminder else 'first'}:{registration_id}"


# --- answering -------------------------------------------------------------------------------------------------


async def open_invitation(conn: asyncpg.Connection, token: str) -> tuple[queries.Invitation, list[Question]]:
    """The invitation of a link's token and the questions it asks. Raises NotFound (survey_link_invalid)."""
    invitation = await queries.invitation_by_token(conn, token_hash(token))
    if invitation is None:
        raise NotFound("survey_link_invalid", "this survey link is not valid")
    return invitation, await queries.questions(conn, invitation.survey_id)


def _one_answer(question: Question, value: Any) -> tuple[Any, str | None]:
    """The answer as stored, or an error code."""
    if question.kind == "rating":
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5
        return (value, None) if ok else (None, "invalid_rating")
    if question.kind == "choice":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(question.choices)
        return (value, None) if ok else (None, "unknown_choice")
    if question.kind == "choices":
        if not isinstance(value, list) or not value:
            return None, "unknown_choice"
        numbers = sorted(set(value))
        if any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < len(question.choices) for v in numbers):
            return None, "unknown_choice"
        return numbers, None
    if not isinstance(value, str):
        return None, "invalid"
    text = value.strip()
    if len(text) > TEXT_ANSWER_MAX:
        return None, "too_long"
    if any(ord(c) < 32 and c not in "\n\t" for c in text.replace("\r\n", "\n")):
        return None, "invalid"
    return (text.replace("\r\n", "\n") or None), None


def checked_answers(questions: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to store, by question id; a question left out is not answered. Raises AnswerErrors
    (invalid_rating, unknown_choice, unknown_question, too_long, invalid, no_answers)."""
    by_id = {str(q.id): q for q in questions}
    errors: dict[str, str] = {key: "unknown_question" for key in answers if key not in by_id}
    stored: dict[str, Any] = {}
    for key, question in by_id.items():
        if key not in answers or answers[key] is None:
            continue
        value, error = _one_answer(question, answers[key])
        if error:
            errors[key] = error
        elif value is not None:
            stored[key] = value
    if errors:
        raise AnswerErrors(errors)
    if not stored:
        raise AnswerErrors({"form": "no_answers"})
    return stored


async def answer(conn: asyncpg.Connection, token: str, answers: dict[str, Any]) -> None:
    """Store one person's answers, apart from them, and mark their invitation answered, in one transaction.
    Raises NotFound (survey_link_invalid), Conflict (already_answered; nothing stored), AnswerErrors."""
    invitation, questions = await open_invitation(conn, token)
    stored = checked_answers(questions, answers)
    async with conn.transaction():
        if not await queries.mark_answered(conn, invitation.token_hash):
            raise Conflict("already_answered", "this survey link has been used to answer already")
        await queries.insert_response(conn, invitation.survey_id, invitation.event_id, stored)


async def response_rate(conn: asyncpg.Connection, event_id: UUID) -> ResponseRate:
    """How many the event's survey went to, and how many of them answered (for the event report)."""
    return await queries.response_rate(conn, event_id)
