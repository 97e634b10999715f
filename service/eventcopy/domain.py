"""Copying an event for next year, in one transaction: the event as a draft at the new start, its seats, its
organisers' access, the programme (every session moved by the same offset as the start, with rooms, speakers
and capacities), custom questions, workshop groups and perspectives, the reminders that are on and the
evaluation survey's questions. Doors, registrations, survey answers, the Slack channel and the series are not
copied (a new year is usually a new series)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from .. import audit
from ..accounts.domain import require_role
from ..accounts.queries import grant_event_scope
from ..accounts.schemas import Principal
from ..errors import Conflict, Invalid
from ..events import domain as events
from ..events import queries as event_queries
from ..events.schemas import Event
from ..reminders.domain import copy_reminders
from ..surveys.domain import copy_survey
from . import queries
from .schemas import Copied, CopyIn


async def copy_event(
    conn: asyncpg.Connection, slug: str, data: CopyIn, *, actor: Principal, now: datetime
) -> tuple[Event, Copied]:
    """A draft copy of the event `slug` starting at `data.starts_at`. Raises NotFound, Forbidden (not an
    organiser of the event), Invalid (invalid_time), Conflict (slug_taken); nothing is stored then. Not
    idempotent (the API honours Idempotency-Key)."""
    require_role(actor, *events.EDIT_ROLES)
    source = await events.get_event_for_actor(conn, slug, actor, *events.EDIT_ROLES)
    offset = data.starts_at - source.starts_at
    ends_at = source.ends_at + offset
    if not (data.starts_at >= events.EARLIEST and ends_at < events.LATEST):
        raise Invalid("invalid_time", "starts_at must be between the years 2000 and 2099", field="starts_at")
    async with conn.transaction():
        copy_id = await queries.copy_event_row(conn, source.id, data.slug, offset, actor.user_id)
        if copy_id is None:
            raise Conflict("slug_taken", f"the address {data.slug!r} is taken", field="slug")
        await event_queries.add_seats(conn, copy_id, source.capacity)
        await queries.copy_organisers(conn, source.id, copy_id)
        if actor.role != "admin":
            await grant_event_scope(conn, actor.user_id, copy_id)
        copy = await event_queries.event_by_id(conn, copy_id)
        assert copy is not None
        copied = Copied(
            sessions=await queries.copy_sessions(conn, source.id, copy_id, offset),
            questions=await queries.copy_questions(conn, source.id, copy_id),
            groups=await queries.copy_groups(conn, source.id, copy_id),
            reminders=await copy_reminders(conn, source, copy, now=now),
            survey_questions=await copy_survey(conn, source, copy, now=now),
        )
        await audit.record(
            conn,
            "event.copied",
            actor=actor.actor,
            event_id=copy_id,
            data={
                "from": source.slug,
                "slug": data.slug,
                "starts_at": data.starts_at.isoformat(),
                "sessions": copied.sessions,
                "questions": copied.questions,
                "groups": copied.groups,
                "reminders": copied.reminders,
                "survey_questions": copied.survey_questions,
            },
        )
    return copy, copied
