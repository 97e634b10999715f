"""Job handler that tells a participant their workshop group and its perspective, in their language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from integrations.mail import Mail, display_address

from ..events import queries as event_queries
from ..i18n import gettext, pick
from ..jobs import Handler, Job
from ..mailtemplates import render
from ..registrations import links
from ..registrations import queries as registration_queries
from . import queries
from .domain import MAIL_PLACEMENT

if TYPE_CHECKING:
    from ..jobcontext import JobContext

SUBJECT = "Your group at %(event)s: %(group)s"


async def send_placement_mail(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """One mail per person and group (the job's dedupe key). Skipped when the person left or moved since:
    a move is told by the job of the new group."""
    async with context.pool.acquire() as conn:
        registration = await registration_queries.registration_by_id(conn, UUID(job.payload["registration_id"]))
        if registration is not None and registration.email is None:
            return {"skipped": "no e-mail address"}
        if registration is None or registration.status != "confirmed":
            return {"skipped": "not confirmed"}
        group = await queries.group_of(conn, registration.id)
        if group is None:
            return {"skipped": "not placed"}
        if str(group.id) != job.payload.get("group_id", str(group.id)):
            return {"skipped": "moved"}
        event = await event_queries.event_by_id(conn, registration.event_id)
        assert event is not None
    assert registration.email is not None  # skipped above
    language = registration.language
    values = {"event": pick(event.title, language), "group": pick(group.name, language)}
    title = gettext(language, SUBJECT) % values
    text, html = render(
        "workshop_group",
        language,
        title=title,
        registration=registration,
        event=event,
        group=group,
        **links.mail_links(context.settings, registration, event.slug),
    )
    await context.mailer.send(
        Mail(
            to=display_address(registration.name, registration.email),
            subject=title,
            text=text,
            html=html,
            message_id=f"<job-{job.id}.{MAIL_PLACEMENT}.{registration.id}@moteplass>",
            language=language,
        )
    )
    return {"sent_to": registration.email, "group": group.key, "subject": title}


HANDLERS: dict[str, Handler] = {MAIL_PLACEMENT: send_placement_mail}
