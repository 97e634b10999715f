"""SQL of surveys: the survey of an event, its questions, the invitations, and the anonymous answers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from .schemas import Question, ResponseRate

SURVEY_OF_EVENT = """
SELECT s.id, s.send_after_seconds, s.revision FROM survey_events se JOIN surveys s ON s.id = se.survey_id
 WHERE se.event_id = $1
"""
SURVEY_FOR_UPDATE = "SELECT id, send_after_seconds, revision FROM surveys WHERE id = $1 FOR UPDATE"
SURVEY_FOR_SHARE = "SELECT id, send_after_seconds, revision FROM surveys WHERE id = $1 FOR SHARE"
CREATE_SURVEY = """
INSERT INTO surveys (send_after_seconds, created_at, updated_at) VALUES ($1, $2, $2)
RETURNING id, send_after_seconds, revision
"""
# A new send time is a new revision: the jobs of the old one find themselves stale.
SET_SEND_AFTER = """
UPDATE surveys SET send_after_seconds = $2, revision = revision + 1, updated_at = $3
 WHERE id = $1 AND send_after_seconds <> $2
RETURNING id, send_after_seconds, revision
"""
ATTACH = """
INSERT INTO survey_events (event_id, survey_id) VALUES ($1, $2)
ON CONFLICT (event_id) DO UPDATE SET survey_id = EXCLUDED.survey_id
"""
# A survey no event asks any more goes (with its questions and answers, of which there are none: see domain).
DELETE_ORPHANS = """
DELETE FROM surveys s WHERE s.id = ANY($1::uuid[])
   AND NOT EXISTS (SELECT 1 FROM survey_events se WHERE se.survey_id = s.id)
"""
QUESTIONS = "SELECT id, kind, text, choices FROM survey_questions WHERE survey_id = $1 ORDER BY position"
DELETE_QUESTIONS = "DELETE FROM survey_questions WHERE survey_id = $1"
INSERT_QUESTIONS = """
INSERT INTO survey_questions (survey_id, position, kind, text, choices)
SELECT $1, item.position - 1, item.kind, item.text::jsonb, item.choices::jsonb
  FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS item (kind, text, choices, position)
"""
EVENTS_OF_SURVEY = """
SELECT e.id, e.slug, e.title, e.ends_at, e.status,
       (SELECT count(*) FROM survey_invitations i WHERE i.survey_id = $1 AND i.event_id = e.id
           AND i.sent_at IS NOT NULL) AS sent,
       (SELECT count(*) FROM survey_responses r WHERE r.survey_id = $1 AND r.event_id = e.id) AS answered
  FROM survey_events se JOIN events e ON e.id = se.event_id
 WHERE se.survey_id = $1
 ORDER BY e.starts_at, e.slug
"""
SERIES_DATES = "SELECT id FROM events WHERE series = $1 AND id <> $2 AND status <> 'cancelled' ORDER BY starts_at"
COUNT_RESPONSES = "SELECT count(*) FROM survey_responses WHERE survey_id = $1 AND ($2::uuid IS NULL OR event_id = $2)"

# Those admitted at the door whose registration still stands and who have no invitation yet.
CHECKED_IN_UNINVITED = """
SELECT r.id FROM checkin_admissions a JOIN registrations r ON r.id = a.registration_id
 WHERE a.event_id = $1 AND r.status = 'confirmed'
   AND NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.registration_id = r.id)
 ORDER BY r.queue_seq
"""
CLAIM_INVITATIONS = """
INSERT INTO survey_invitations (registration_id, survey_id, event_id, token_hash, claimed_at, reminded_at)
SELECT item.registration_id, $1, $2, item.token_hash, $3, $6
  FROM unnest($4::uuid[], $5::bytea[]) AS item (registration_id, token_hash)
ON CONFLICT (registration_id) DO NOTHING
RETURNING registration_id
"""
# The reminder goes once, to those the survey reached who have not answered.
CLAIM_REMINDERS = """
UPDATE survey_invitations SET reminded_at = $3
 WHERE survey_id = $1 AND event_id = $2 AND sent_at IS NOT NULL AND NOT answered AND reminded_at IS NULL
RETURNING registration_id
"""
INVITATION = """
SELECT registration_id, survey_id, event_id, token_hash, sent_at, reminded_at, answered
  FROM survey_invitations WHERE registration_id = $1
"""
INVITATION_BY_HASH = """
SELECT registration_id, survey_id, event_id, token_hash, sent_at, reminded_at, answered
  FROM survey_invitations WHERE token_hash = $1
"""
MARK_SENT = "UPDATE survey_invitations SET sent_at = $2 WHERE registration_id = $1 AND sent_at IS NULL"
# The flag only, never a time (see migrations/023_surveys.sql).
MARK_ANSWERED = """
UPDATE survey_invitations SET answered = true WHERE token_hash = $1 AND NOT answered RETURNING registration_id
"""
INSERT_RESPONSE = "INSERT INTO survey_responses (survey_id, event_id, answers) VALUES ($1, $2, $3)"
# Ordered by the random id: the order says nothing about who answered when.
RESPONSES = "SELECT event_id, answers FROM survey_responses WHERE survey_id = $1 ORDER BY id"

RESPONSE_RATE = """
SELECT (SELECT count(*) FROM survey_invitations i JOIN survey_events se ON se.survey_id = i.survey_id
         WHERE se.event_id = $1 AND i.event_id = $1 AND i.sent_at IS NOT NULL) AS sent,
       (SELECT count(*) FROM survey_responses r JOIN survey_events se ON se.survey_id = r.survey_id
         WHERE se.event_id = $1 AND r.event_id = $1) AS answered
"""
PARTICIPATION = """
SELECT i.sent_at, i.reminded_at, i.answered FROM survey_invitations i WHERE i.registration_id = $1
"""


class SurveyRow(msgspec.Struct, frozen=True):
    id: UUID
    send_after_seconds: int
    revision: int


class SurveyEventRow(msgspec.Struct, frozen=True):
    id: UUID
    slug: str
    title: dict[str, str]
    ends_at: datetime
    status: str
    sent: int
    answered: int


class Invitation(msgspec.Struct, frozen=True):
    registration_id: UUID
    survey_id: UUID
    event_id: UUID
    token_hash: bytes
    sent_at: datetime | None
    reminded_at: datetime | None
    answered: bool


class Response(msgspec.Struct, frozen=True):
    """One person's answers, with the event they came to and nothing else."""

    event_id: UUID
    answers: dict[str, Any]


class Participation(msgspec.Struct, frozen=True):
    sent_at: datetime | None
    reminded_at: datetime | None
    answered: bool


def _survey(row: asyncpg.Record | None) -> SurveyRow | None:
    return msgspec.convert(dict(row), SurveyRow) if row else None


async def survey_of_event(conn: asyncpg.Connection, event_id: UUID) -> SurveyRow | None:
    return _survey(await conn.fetchrow(SURVEY_OF_EVENT, event_id))


async def survey_for_update(conn: asyncpg.Connection, survey_id: UUID, *, share: bool = False) -> SurveyRow | None:
    return _survey(await conn.fetchrow(SURVEY_FOR_SHARE if share else SURVEY_FOR_UPDATE, survey_id))


async def create_survey(conn: asyncpg.Connection, send_after_seconds: int, now: datetime) -> SurveyRow:
    row = await conn.fetchrow(CREATE_SURVEY, send_after_seconds, now)
    return msgspec.convert(dict(row), SurveyRow)


async def set_send_after(conn: asyncpg.Connection, survey_id: UUID, seconds: int, now: datetime) -> SurveyRow | None:
    """The survey with its new revision, or None when the time was unchanged."""
    return _survey(await conn.fetchrow(SET_SEND_AFTER, survey_id, seconds, now))


async def attach(conn: asyncpg.Connection, event_id: UUID, survey_id: UUID) -> None:
    await conn.execute(ATTACH, event_id, survey_id)


async def delete_orphans(conn: asyncpg.Connection, survey_ids: list[UUID]) -> None:
    await conn.execute(DELETE_ORPHANS, survey_ids)


async def questions(conn: asyncpg.Connection, survey_id: UUID) -> list[Question]:
    return [msgspec.convert(dict(row), Question) for row in await conn.fetch(QUESTIONS, survey_id)]


async def replace_questions(
    conn: asyncpg.Connection, survey_id: UUID, items: list[tuple[str, dict[str, str], list[dict[str, str]]]]
) -> None:
    await conn.execute(DELETE_QUESTIONS, survey_id)
    await conn.execute(
        INSERT_QUESTIONS,
        survey_id,
        [kind for kind, _, _ in items],
        [json.dumps(text) for _, text, _ in items],
        [json.dumps(choices) for _, _, choices in items],
    )


async def events_of_survey(conn: asyncpg.Connection, survey_id: UUID) -> list[SurveyEventRow]:
    return [msgspec.convert(dict(row), SurveyEventRow) for row in await conn.fetch(EVENTS_OF_SURVEY, survey_id)]


async def series_dates(conn: asyncpg.Connection, series: str, event_id: UUID) -> list[UUID]:
    """The other dates of a series that are not cancelled."""
    return [row["id"] for row in await conn.fetch(SERIES_DATES, series, event_id)]


async def count_responses(conn: asyncpg.Connection, survey_id: UUID, event_id: UUID | None = None) -> int:
    return int(await conn.fetchval(COUNT_RESPONSES, survey_id, event_id))


async def checked_in_uninvited(conn: asyncpg.Connection, event_id: UUID) -> list[UUID]:
    return [row["id"] for row in await conn.fetch(CHECKED_IN_UNINVITED, event_id)]


async def claim_invitations(
    conn: asyncpg.Connection,
    survey_id: UUID,
    event_id: UUID,
    *,
    now: datetime,
    invitations: list[tuple[UUID, bytes]],
    without_reminder: bool = False,
) -> list[UUID]:
    """Invitations (registration, token hash) written now; those that existed already are left out. Those
    `without_reminder` are marked reminded already (they are invited when the reminders go)."""
    rows = await conn.fetch(
        CLAIM_INVITATIONS,
        survey_id,
        event_id,
        now,
        [r for r, _ in invitations],
        [h for _, h in invitations],
        now if without_reminder else None,
    )
    return [row["registration_id"] for row in rows]


async def claim_reminders(conn: asyncpg.Connection, survey_id: UUID, event_id: UUID, now: datetime) -> list[UUID]:
    return [row["registration_id"] for row in await conn.fetch(CLAIM_REMINDERS, survey_id, event_id, now)]


async def invitation(conn: asyncpg.Connection, registration_id: UUID) -> Invitation | None:
    row = await conn.fetchrow(INVITATION, registration_id)
    return msgspec.convert(dict(row), Invitation) if row else None


async def invitation_by_token(conn: asyncpg.Connection, token_hash: bytes) -> Invitation | None:
    row = await conn.fetchrow(INVITATION_BY_HASH, token_hash)
    return msgspec.convert(dict(row), Invitation) if row else None


async def mark_sent(conn: asyncpg.Connection, registration_id: UUID, now: datetime) -> None:
    await conn.execute(MARK_SENT, registration_id, now)


async def mark_answered(conn: asyncpg.Connection, token_hash: bytes) -> bool:
    """Whether this call marked it (False: it was answered before)."""
    return await conn.fetchval(MARK_ANSWERED, token_hash) is not None


async def insert_response(conn: asyncpg.Connection, survey_id: UUID, event_id: UUID, answers: dict[str, Any]) -> None:
    await conn.execute(INSERT_RESPONSE, survey_id, event_id, answers)


async def responses(conn: asyncpg.Connection, survey_id: UUID) -> list[Response]:
    return [msgspec.convert(dict(row), Response) for row in await conn.fetch(RESPONSES, survey_id)]


async def response_rate(conn: asyncpg.Connection, event_id: UUID) -> ResponseRate:
    row = await conn.fetchrow(RESPONSE_RATE, event_id)
    return ResponseRate(sent=int(row["sent"]), answered=int(row["answered"]))


async def participation(conn: asyncpg.Connection, registration_id: UUID) -> Participation | None:
    row = await conn.fetchrow(PARTICIPATION, registration_id)
    return msgspec.convert(dict(row), Participation) if row else None
