"""Announcements: a draft, a preview of how many it reaches, a confirmation that schedules it (once), and the
fan-out that fixes the recipients and queues one mail each. Also each event's Slack notification channel.

Sending is exactly once per recipient: confirming moves a draft to `scheduled` only once (a second press or a
Slack retry finds it confirmed and changes nothing), the send job has a dedupe key per announcement, and the
recipients and their mail jobs are unique per announcement and registration.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from .. import audit, jobs
from ..accounts.domain import require_event_scope
from ..accounts.schemas import Principal
from ..errors import Invalid, InvalidState, NotFound
from ..progress import Progress
from ..types import localized
from . import queries
from .audiences import AUDIENCES, Audience, public_audiences
from .schemas import Announcement, AnnouncementIn

ROLES = ("organiser",)
SEND = "announcement.send"
MAIL = "announcement.mail"
POST = "announcement.post"
REPORT = "announcement.report"
PROGRESS = "announcement.progress"  # the report in Slack, shown and updated while the mails go out
# How often the Slack report of a sending is updated: chat.update is tier 3 (about 50 a minute per workspace).
PROGRESS_EVERY = timedelta(seconds=3)
PROGRESS_IDLE = timedelta(seconds=30)  # the next look when the figures did not change since the last
MAIL_ATTEMPTS = jobs.DEFAULT_MAX_ATTEMPTS  # mails retry until the queue's age limit
PUBLIC_LIMIT = 10


def audience_of(key: str, ref: str | None) -> Audience:
    """The audience by key, with its reference checked. Raises Invalid."""
    audience = AUDIENCES.get(key)
    if audience is None:
        raise Invalid("invalid_audience", f"audience must be one of {', '.join(AUDIENCES)}", field="audience")
    if audience.needs_ref != (ref is not None):
        raise Invalid(
            "invalid_audience",
            f"audience {key!r} needs audience_ref" if audience.needs_ref else f"audience {key!r} takes no audience_ref",
            field="audience_ref",
        )
    return audience


async def check_audience(conn: asyncpg.Connection, event_id: UUID, key: str, ref: str | None) -> Audience:
    """The audience by key, with its reference checked against the event: one session's attendees need a
    scheduled session of this event. Every channel (API, console, Slack) goes through here. Raises Invalid."""
    audience = audience_of(key, ref)
    if ref is not None and not await queries.is_scheduled_session(conn, event_id, ref):
        raise Invalid("invalid_audience", "audience_ref is not a scheduled session of this event", field="audience_ref")
    return audience


async def create_announcement(
    conn: asyncpg.Connection,
    event_id: UUID,
    *,
    data: AnnouncementIn,
    actor: Principal,
    now: datetime,
    source_key: str | None = None,
    report_to: dict[str, str] | None = None,
) -> Announcement:
    """A draft announcement. Raises Forbidden, Invalid. Idempotent per `source_key` while it is a draft."""
    await require_event_scope(conn, actor, event_id, *ROLES)
    await check_audience(conn, event_id, data.audience, data.audience_ref)
    if data.send_at is not None and data.send_at <= now:
        raise Invalid("send_at_in_past", "the time to send is in the past", field="send_at")
    values: dict[str, Any] = {
        "audience": data.audience,
        "audience_ref": data.audience_ref,
        "subject": localized(data.subject),
        "body": {k: v for k, v in msgspec.structs.asdict(data.body).items() if v},
        "send_at": data.send_at,
        "source_key": source_key,
        "created_by": actor.user_id,
        "actor": actor.actor,
        "report_to": report_to or {},
        "now": now,
    }
    return await queries.upsert_draft(conn, event_id, values)


async def get_announcement(conn: asyncpg.Connection, announcement_id: UUID, *, actor: Principal) -> Announcement:
    """Raises NotFound, Forbidden."""
    announcement = await queries.by_id(conn, announcement_id)
    if announcement is None:
        raise NotFound("announcement_not_found", "no such announcement")
    await require_event_scope(conn, actor, announcement.event_id, *ROLES)
    return announcement


async def list_announcements(
    conn: asyncpg.Connection, event_id: UUID, *, actor: Principal, limit: int = 200
) -> list[Announcement]:
    """Every announcement of an event, newest first, with its status and counts. Raises Forbidden."""
    await require_event_scope(conn, actor, event_id, *ROLES)
    return await queries.of_event(conn, event_id, limit)


async def count_recipients(
    conn: asyncpg.Connection, event_id: UUID, audience: str, audience_ref: str | None = None
) -> int:
    """How many an audience reaches right now (the preview). Raises Invalid."""
    return await queries.count_recipients(conn, audience_of(audience, audience_ref).key, event_id, audience_ref)


async def confirm_announcement(
    conn: asyncpg.Connection,
    announcement_id: UUID,
    *,
    actor: Principal,
    now: datetime,
    report_to: dict[str, str] | None = None,
) -> tuple[Announcement, bool]:
    """Schedule a draft: sent at `send_at`, or now. Returns (announcement, whether this call confirmed it).

    Idempotent: confirming again (a double press, a retry) changes nothing and returns False.
    Raises NotFound, Forbidden, InvalidState (cancelled, or its time has passed).
    """
    async with conn.transaction():
        announcement = await queries.for_update(conn, announcement_id)
        if announcement is None:
            raise NotFound("announcement_not_found", "no such announcement")
        await require_event_scope(conn, actor, announcement.event_id, *ROLES)
        if announcement.status == "cancelled":
            raise InvalidState("announcement_cancelled", "the announcement was cancelled")
        if announcement.status != "draft":
            return announcement, False
        if announcement.send_at is not None and announcement.send_at <= now:
            raise InvalidState("send_at_in_past", "the time to send has passed; choose a new one")
        await queries.confirm(conn, announcement_id, now, report_to or {})
        await jobs.enqueue(
            conn,
            SEND,
            {"announcement_id": str(announcement_id), "event_id": str(announcement.event_id)},
            dedupe_key=f"{SEND}:{announcement_id}",
            run_after=announcement.send_at,
            notify=announcement.send_at is None,
        )
        await audit.record(
            conn,
            "announcement.confirmed",
            actor=actor.actor,
            event_id=announcement.event_id,
            data={"announcement_id": str(announcement_id), "audience": announcement.audience},
        )
        result = await queries.by_id(conn, announcement_id)
    assert result is not None
    return result, True


async def cancel_announcement(conn: asyncpg.Connection, announcement_id: UUID, *, actor: Principal) -> Announcement:
    """Cancel a draft or a scheduled announcement. Raises NotFound, Forbidden, InvalidState (already sending)."""
    async with conn.transaction():
        announcement = await queries.for_update(conn, announcement_id)
        if announcement is None:
            raise NotFound("announcement_not_found", "no such announcement")
        await require_event_scope(conn, actor, announcement.event_id, *ROLES)
        if not await queries.cancel(conn, announcement_id) and announcement.status != "cancelled":
            raise InvalidState("announcement_sent", "the announcement is already being sent")
        result = await queries.by_id(conn, announcement_id)
    assert result is not None
    return result


async def start_sending(conn: asyncpg.Connection, announcement_id: UUID, *, now: datetime) -> int | None:
    """Fix the recipients and queue a mail to each, and the channel post. Returns how many, or None when the
    announcement is not waiting to be sent (cancelled, or sent already). Idempotent."""
    async with conn.transaction():
        started = await queries.start_sending(conn, announcement_id, now)
        if started is None:
            return None
        count = await queries.fan_out(
            conn, started.audience, started.event_id, started.audience_ref, announcement_id, MAIL_ATTEMPTS
        )
        payload = {"announcement_id": str(announcement_id), "event_id": str(started.event_id)}
        await jobs.enqueue(conn, POST, payload, dedupe_key=f"{POST}:{announcement_id}", max_attempts=5)
        if count == 0:
            await jobs.enqueue(conn, REPORT, payload, dedupe_key=f"{REPORT}:{announcement_id}")
        elif started.report_to.get("slack_user"):  # a sending done within seconds gets only the report
            await jobs.enqueue(
                conn,
                PROGRESS,
                {**payload, "tick": 0},
                dedupe_key=progress_key(announcement_id, 0),
                run_after=now + PROGRESS_EVERY,
            )
    return count


def progress_key(announcement_id: UUID, tick: int) -> str:
    """One job per look at the progress: a retried look is the same job, the next look a new one."""
    return f"{PROGRESS}:{announcement_id}:{tick}"


async def sending_progress(conn: asyncpg.Connection, announcement_id: UUID, *, actor: Principal) -> Progress:
    """How many of the announcement's mails are sent, failed, skipped and still to go. Raises NotFound, Forbidden."""
    await get_announcement(conn, announcement_id, actor=actor)
    found = await queries.progress(conn, announcement_id)
    assert found is not None
    return found


async def record_mail(
    conn: asyncpg.Connection, recipient_id: int, *, status: str, error: str | None, now: datetime
) -> None:
    """Count one recipient's mail as sent, failed or skipped (once); the last one queues the report."""
    async with conn.transaction():
        pending = await queries.record_outcome(conn, recipient_id, status, error, now)
        if pending == 0:
            announcement_id = await queries.announcement_of_recipient(conn, recipient_id)
            await jobs.enqueue(
                conn, REPORT, {"announcement_id": str(announcement_id)}, dedupe_key=f"{REPORT}:{announcement_id}"
            )


async def public_announcements(
    conn: asyncpg.Connection, event_id: UUID, *, limit: int = PUBLIC_LIMIT
) -> list[Announcement]:
    """Announcements to everyone with a seat that went out for an event, newest first (for its public page);
    those to a subgroup (the waiting list, one session, those checked in) are never public."""
    return await queries.public(conn, event_id, limit, public_audiences())
