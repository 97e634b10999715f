"""Job handlers that tell attendees what happened to their registration, in their language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from integrations.mail import Attachment, Mail, display_address

from ..events import queries as event_queries
from ..i18n import gettext, pick
from ..jobs import Handler, Job
from ..mailtemplates import render
from . import domain, links, queries, renew
from .tickets import ticket_images

if TYPE_CHECKING:
    from ..jobcontext import JobContext

SUBJECTS = {
    domain.MAIL_CONFIRMED: "You are registered: %(event)s",
    domain.MAIL_PROMOTED: "You have a seat: %(event)s",
    domain.MAIL_WAITLISTED: "You are on the waiting list: %(event)s",
    domain.MAIL_CANCELLED: "Registration cancelled: %(event)s",
    domain.MAIL_LINK: "Your registration for %(event)s",
    renew.MAIL_NEW_LINKS: "New links to your registration: %(event)s",
}
TEMPLATES = {
    domain.MAIL_CONFIRMED: "confirmed",
    domain.MAIL_PROMOTED: "confirmed",
    domain.MAIL_WAITLISTED: "waitlisted",
    domain.MAIL_CANCELLED: "cancelled",
    domain.MAIL_LINK: "link",
    renew.MAIL_NEW_LINKS: "new_links",
}
_WITH_TICKET = {domain.MAIL_CONFIRMED, domain.MAIL_PROMOTED}
# One line of the day's programme in a mail: (starts_at, ends_at, title, room), in the registration's language.
ProgrammeLine = tuple[datetime, datetime, str, str]


async def send_registration_mail(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """One mail about one registration. A registration erased since is skipped; a stale status too
    (a 'confirmed' mail for someone already cancelled again is not worth sending)."""
    mail, result = await prepare_registration_mail(context, job)
    if mail is not None:
        await context.mailer.send(mail)
    return result


async def prepare_registration_mail(
    context: JobContext, job: Job, *, programme: Sequence[ProgrammeLine] = ()
) -> tuple[Mail | None, Mapping[str, Any]]:
    """The mail `send_registration_mail` sends (None when it is skipped) and the job's result. The confirmation
    shows `programme`, the day's programme (service/programme/notify.py passes it, with the event's invite)."""
    settings = context.settings
    async with context.pool.acquire() as conn:
        registration = await queries.registration_by_id(conn, UUID(job.payload["registration_id"]))
        if registration is None:
            return None, {"skipped": "erased"}
        if registration.email is None:  # added by hand or at a door without an address
            return None, {"skipped": "no e-mail address"}
        if job.kind in _WITH_TICKET and registration.status != "confirmed":
            return None, {"skipped": f"now {registration.status}"}
        if job.kind == domain.MAIL_WAITLISTED and registration.status != "waitlisted":
            return None, {"skipped": f"now {registration.status}"}
        event = await event_queries.event_by_id(conn, registration.event_id)
        assert event is not None
        attachments: tuple[Attachment, ...] = ()
        qr_cid = f"ticket-{registration.id}@moteplass"
        if job.kind in _WITH_TICKET or (job.kind == renew.MAIL_NEW_LINKS and registration.status == "confirmed"):
            png, _svg = await ticket_images(conn, settings, registration)
            attachments = (Attachment("billett.png", png, "image/png", inline_cid=qr_cid),)
    language = registration.language
    title = gettext(language, SUBJECTS[job.kind]) % {"event": pick(event.title, language)}
    text, html = render(
        TEMPLATES[job.kind],
        language,
        title=title,
        registration=registration,
        event=event,
        **links.mail_links(settings, registration, event.slug),
        qr_cid=qr_cid,
        reason=job.payload.get("reason", ""),
        promoted=job.kind == domain.MAIL_PROMOTED,
        programme=programme,
    )
    mail = Mail(
        to=display_address(registration.name, registration.email),  # checked above
        subject=title,
        text=text,
        html=html,
        attachments=attachments,
        message_id=f"<job-{job.id}.{job.kind}.{registration.id}@moteplass>",
        language=language,
    )
    return mail, {"sent_to": registration.email, "subject": title}


HANDLERS: dict[str, Handler] = {kind: send_registration_mail for kind in SUBJECTS}
