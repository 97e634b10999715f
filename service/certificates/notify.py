"""The job that mails one attendee their certificate of attendance, in their language, with the PDF attached."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

import anyio.to_thread

from integrations.mail import Attachment, Mail, display_address

from ..events import queries as event_queries
from ..i18n import gettext, pick
from ..jobs import Handler, Job
from ..mailtemplates import render
from ..registrations import links
from ..registrations import queries as registration_queries
from . import document, queries
from .domain import MAIL_CERTIFICATE

if TYPE_CHECKING:
    from ..jobcontext import JobContext

SUBJECT = "Your certificate of attendance: %(event)s"
FILENAME = {"nb": "deltakerbevis.pdf", "nn": "deltakarbevis.pdf", "en": "certificate-of-attendance.pdf"}


async def send_certificate(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """One certificate mail. Skipped when the registration was erased or has no address any more. Its Message-ID
    is the registration's, so a retried send is recognisably the same mail."""
    registration_id = UUID(job.payload["registration_id"])
    async with context.pool.acquire() as conn:
        registration = await registration_queries.registration_by_id(conn, registration_id)
        if registration is None:
            return {"skipped": "erased"}
        if registration.email is None:
            return {"skipped": "no e-mail address"}
        event = await event_queries.event_by_id(conn, registration.event_id)
        assert event is not None
        found = await queries.attendees(conn, event.id, only=registration_id)
    if not found:
        return {"skipped": "not checked in"}
    text = document.certificate_text(
        event, found[0], issued_at=context.clock(), organisation=context.settings.organisation_name
    )
    pdf = await anyio.to_thread.run_sync(lambda: document.render([text], title=text.heading))
    language = registration.language
    title = gettext(language, SUBJECT) % {"event": pick(event.title, language)}
    body_text, body_html = render(
        "certificate",
        language,
        title=title,
        registration=registration,
        event=event,
        **links.mail_links(context.settings, registration, event.slug),
    )
    await context.mailer.send(
        Mail(
            to=display_address(registration.name, registration.email),
            subject=title,
            text=body_text,
            html=body_html,
            attachments=(Attachment(FILENAME[language], pdf, "application/pdf"),),
            message_id=f"<certificate-{registration.id}@moteplass>",
            language=language,
        )
    )
    return {"sent_to": registration.email, "subject": title}


HANDLERS: dict[str, Handler] = {MAIL_CERTIFICATE: send_certificate}
