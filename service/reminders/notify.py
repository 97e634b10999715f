"""Job handlers: the fan-out when a reminder falls due, and each person's reminder mail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from integrations.mail import Attachment, Mail, display_address

from ..events import queries as event_queries
from ..jobs import Handler, Job, RetryLater
from ..registrations import links
from ..registrations import queries as registration_queries
from ..registrations.tickets import ticket_images
from . import domain, queries
from .mail import Recipient, reminder_mail

if TYPE_CHECKING:
    from ..jobcontext import JobContext


async def fan_out(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`event.reminder` at its due time: a delivery row and a mail job for everyone registered by then."""
    payload = job.payload
    async with context.pool.acquire() as conn:
        try:
            return await domain.fan_out(
                conn,
                UUID(payload["reminder_id"]),
                revision=int(payload["revision"]),
                due=int(payload["due"]),
                now=context.clock(),
            )
        except domain.NotDueYet as early:
            raise RetryLater(early.seconds, "the reminder is not due yet") from early


async def send_reminder(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`registration.reminder`: one person's reminder, as their status is now (ticket, or place in the queue).
    The Message-ID names the (reminder, registration), so a retry after a lost acknowledgement is the same mail."""
    settings = context.settings
    registration_id, reminder_id = UUID(job.payload["registration_id"]), UUID(job.payload["reminder_id"])
    now = context.clock()
    async with context.pool.acquire() as conn:
        delivery = await queries.delivery(conn, registration_id, reminder_id)
        registration = await registration_queries.registration_by_id(conn, registration_id)
        if delivery is None or registration is None:
            return {"skipped": "erased"}
        event = await event_queries.event_by_id(conn, registration.event_id)
        assert event is not None
        reason = None
        if not registration.email:
            reason = "no e-mail address"
        elif registration.status not in ("confirmed", "waitlisted"):
            reason = f"now {registration.status}"
        elif event.status == "cancelled":
            reason = "event cancelled"
        elif now >= event.starts_at:
            reason = "event started"
        if reason is not None:
            await queries.mark_sent(conn, registration_id, reminder_id, now, "skipped")
            return {"skipped": reason}
        attachments: tuple[Attachment, ...] = ()
        qr_cid = f"ticket-{registration.id}@moteplass"
        if registration.status == "confirmed":
            png, _svg = await ticket_images(conn, settings, registration)
            attachments = (Attachment("billett.png", png, "image/png", inline_cid=qr_cid),)
        sessions = tuple(await queries.sessions_chosen(conn, registration.id))
    confirmed = registration.status == "confirmed"
    assert registration.email is not None  # skipped above
    recipient = Recipient(
        name=registration.name,
        status=registration.status,
        waitlist_position=registration.waitlist_position,
        ticket_url=links.ticket_url(settings, registration),
        manage_url=links.manage_url(settings, registration),
        agenda_url=links.agenda_url(settings, registration) if confirmed else None,
        sessions=sessions if confirmed else (),
    )
    language = registration.language
    subject, text, html = reminder_mail(event, recipient, language, base_url=settings.base_url, qr_cid=qr_cid)
    await context.mailer.send(
        Mail(
            to=display_address(registration.name, registration.email),
            subject=subject,
            text=text,
            html=html,
            attachments=attachments,
            message_id=f"<reminder-{reminder_id}.{registration_id}@moteplass>",
            language=language,
        )
    )
    async with context.pool.acquire() as conn:
        await queries.mark_sent(conn, registration_id, reminder_id, now, "ticket" if confirmed else "waitlist")
    return {"sent_to": registration.email, "as": registration.status}


HANDLERS: dict[str, Handler] = {domain.FAN_OUT: fan_out, domain.MAIL: send_reminder}
