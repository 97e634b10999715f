"""Job handlers: keep attendees' calendars right (one sync per attendee) and fan a change out to everyone
it touches. Registration mails are followed by a sync, so confirming, promoting and cancelling a
registration send the matching invites without the registration code knowing about calendars."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ..events import queries as event_queries
from ..jobs import Handler, Job, enqueue
from ..registrations import queries as registration_queries
from ..registrations.notify import prepare_registration_mail
from . import domain, invites, queries

if TYPE_CHECKING:
    from ..jobcontext import JobContext


async def sync(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`calendar.sync`: send the REQUESTs and CANCELs one attendee's calendar needs."""
    async with context.pool.acquire() as conn:
        sent = await invites.sync_registration(
            conn, context.settings, UUID(job.payload["registration_id"]), now=context.clock(), send=context.mailer.send
        )
    return {"sent": [f"{m.method} {m.item.uid} {m.item.sequence}" for m in sent]}


async def fanout(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`calendar.fanout`: one sync job for every attendee an event or session change touches."""
    payload = job.payload
    event_id = UUID(payload["event_id"])
    async with context.pool.acquire() as conn, conn.transaction():
        if payload.get("session_id"):
            session = await queries.session_by_id(conn, UUID(payload["session_id"]))
            if session is None:
                return {"skipped": "session deleted"}
            targets = await queries.registrations_with_session(conn, session)
            reason = domain.update_name(event_id, session.id, payload["revision"])
        else:
            if await event_queries.event_by_id(conn, event_id) is None:
                return {"skipped": "event deleted"}
            targets = await queries.registrations_with_invites(conn, event_id)
            reason = domain.update_name(event_id, None, payload["revision"])
        for registration_id in targets:
            await domain.request_sync(conn, registration_id, reason=reason, update=reason)
    return {"registrations": len(targets)}


async def confirmed_with_programme(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`registration.confirmed` and `registration.promoted`: the mail with the ticket, listing the day's programme
    (plenaries, breaks, socials and the sessions they have a place in). The invites follow from the calendar sync,
    one mail each (invites.py says why the event's is not in this mail)."""
    async with context.pool.acquire() as conn:
        registration = await registration_queries.registration_by_id(conn, UUID(job.payload["registration_id"]))
        day = await invites.day_programme(conn, registration, registration.language) if registration else []
    mail, result = await prepare_registration_mail(context, job, programme=day)
    if mail is not None:
        await context.mailer.send(mail)
    return result


def followed_by_sync(handler: Handler) -> Handler:
    """Wrap a registration mail handler: once it has run, the attendee's calendar is synced too."""

    async def run(context: JobContext, job: Job) -> Mapping[str, Any] | None:
        result = await handler(context, job)
        async with context.pool.acquire() as conn:
            await enqueue(
                conn,
                domain.SYNC,
                {"registration_id": job.payload["registration_id"]},
                dedupe_key=f"{domain.SYNC}:after-job:{job.id}",
            )
        return result

    return run


async def farewell(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`calendar.farewell`: the CANCELs for an attendee who erased their registration (data in the payload,
    as the rows are gone); each is sent once, as a retry resends the same UID and SEQUENCE."""
    payload = job.payload
    for invite in payload["invites"]:
        await context.mailer.send(
            invites.farewell_mail(
                context.settings,
                email=payload["email"],
                name=payload["name"],
                language=payload["language"],
                invite=invite,
                now=context.clock(),
            )
        )
    return {"cancelled": [invite["uid"] for invite in payload["invites"]]}


HANDLERS: dict[str, Handler] = {domain.SYNC: sync, domain.FANOUT: fanout, domain.FAREWELL: farewell}
