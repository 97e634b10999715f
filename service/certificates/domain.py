"""Who gets a certificate of attendance, and when: every checked-in attendee of an event that has ended.
Mailing them all goes through the job queue, once per registration whatever is pressed; downloads by organisers
are audited like every export."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from ..audit import record
from ..errors import InvalidState, NotFound
from ..events.schemas import Event
from ..jobs import enqueue_many
from ..privacy.domain import audit_organiser_export
from . import queries
from .schemas import Attendee, MailedOut

MAIL_CERTIFICATE = "certificate.mail"
FORMAT = "certificates.pdf"
MAILED = "certificates.mailed"


def require_ended(event: Event, now: datetime) -> None:
    """Raises InvalidState (event_not_ended) before the event's end, or for a cancelled event."""
    if event.status == "cancelled" or now < event.ends_at:
        raise InvalidState("event_not_ended", "certificates are made once the event has ended")


async def has_certificate(conn: asyncpg.Connection, event: Event, registration_id: UUID, *, now: datetime) -> bool:
    """Whether the attendee's certificate exists now (the manage page shows its link only then). Reads only."""
    if event.status == "cancelled" or now < event.ends_at:
        return False
    return await queries.checked_in(conn, registration_id)


async def certificate_of(conn: asyncpg.Connection, event: Event, registration_id: UUID, *, now: datetime) -> Attendee:
    """One attendee's certificate. Raises InvalidState (event_not_ended) and NotFound (not_checked_in)."""
    require_ended(event, now)
    found = await queries.attendees(conn, event.id, only=registration_id)
    if not found:
        raise NotFound("not_checked_in", "only people checked in at the door get a certificate")
    return found[0]


async def certificates_for(conn: asyncpg.Connection, event: Event, *, actor: str, now: datetime) -> list[Attendee]:
    """Every checked-in attendee's certificate, by name; the download is audited like the exports. Raises
    InvalidState (event_not_ended) and NotFound (no_certificates) when nobody checked in."""
    require_ended(event, now)
    async with conn.transaction():
        found = await queries.attendees(conn, event.id)
        if not found:
            raise NotFound("no_certificates", "nobody was checked in at this event")
        await audit_organiser_export(conn, event.id, actor=actor, now=now, filters={}, rows=len(found), fmt=FORMAT)
    return found


async def mail_certificates(conn: asyncpg.Connection, event: Event, *, actor: str, now: datetime) -> MailedOut:
    """Queue one mail with the certificate for each checked-in attendee with an e-mail address who has not had one
    queued before. Idempotent: pressing again queues only people checked in since. Raises InvalidState
    (event_not_ended) and NotFound (no_certificates)."""
    require_ended(event, now)
    async with conn.transaction():
        found = await queries.attendees(conn, event.id)
        if not found:
            raise NotFound("no_certificates", "nobody was checked in at this event")
        with_email = [attendee.id for attendee in found if attendee.email]
        new = await queries.claim_mails(conn, with_email, now=now, actor=actor)
        await enqueue_many(
            conn,
            MAIL_CERTIFICATE,
            [
                ({"registration_id": str(registration_id)}, f"{MAIL_CERTIFICATE}:{registration_id}")
                for registration_id in new
            ],
        )
        out = MailedOut(queued=len(new), already=len(with_email) - len(new), without_email=len(found) - len(with_email))
        await record(conn, MAILED, actor=actor, event_id=event.id, data={"queued": out.queued}, at=now)
    return out
