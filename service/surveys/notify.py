"""Job handlers: the survey's fan-out when it falls due, the reminder's three days later, and each person's mail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from integrations.mail import Mail, display_address

from ..events import queries as event_queries
from ..i18n import gettext, pick
from ..jobs import Handler, Job, RetryLater
from ..mailtemplates import render
from ..registrations import queries as registration_queries
from ..registrations.links import in_language
from . import domain, queries
from .tokens import matching_token

if TYPE_CHECKING:
    from ..jobcontext import JobContext

SUBJECT = "How was %(event)s?"
REMINDER_SUBJECT = "Reminder: how was %(event)s?"


async def fan_out(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`event.survey` at its due time: an invitation and a mail job for everyone checked in."""
    payload = job.payload
    async with context.pool.acquire() as conn:
        try:
            return await domain.fan_out(
                conn,
                UUID(payload["survey_id"]),
                UUID(payload["event_id"]),
                revision=int(payload["revision"]),
                due=int(payload["due"]),
                now=context.clock(),
                key=context.settings.require_secret_key(),
            )
        except domain.NotDueYet as early:
            raise RetryLater(early.seconds, "the survey is not due yet") from early


async def remind(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`event.survey_reminder`, three days after the survey: a reminder to those who have not answered, and the
    survey to those checked in since."""
    payload = job.payload
    async with context.pool.acquire() as conn:
        try:
            return await domain.remind(
                conn,
                UUID(payload["survey_id"]),
                UUID(payload["event_id"]),
                due=int(payload["due"]),
                now=context.clock(),
                key=context.settings.require_secret_key(),
            )
        except domain.NotDueYet as early:
            raise RetryLater(early.seconds, "the survey's reminder is not due yet") from early


async def send_survey(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`registration.survey`: one person's survey link (or its reminder), in their language. The Message-ID names
    the registration, so a retry after a lost acknowledgement is the same mail."""
    settings = context.settings
    registration_id, reminder = UUID(job.payload["registration_id"]), bool(job.payload.get("reminder"))
    async with context.pool.acquire() as conn:
        invitation = await queries.invitation(conn, registration_id)
        registration = await registration_queries.registration_by_id(conn, registration_id)
        if invitation is None or registration is None:
            return {"skipped": "erased"}
        if reminder and invitation.answered:
            return {"skipped": "answered"}
        if not registration.email:
            return {"skipped": "no e-mail address"}
        event = await event_queries.event_by_id(conn, invitation.event_id)
        assert event is not None
    token = matching_token(settings.verification_keys(), registration_id, invitation.token_hash)
    if token is None:
        return {"skipped": "the key that made the link is gone"}
    language = registration.language
    subject = gettext(language, REMINDER_SUBJECT if reminder else SUBJECT) % {"event": pick(event.title, language)}
    text, html = render(
        "survey",
        language,
        title=subject,
        person=registration.name,
        event=event,
        reminder=reminder,
        survey_url=in_language(f"{settings.base_url}/s/{token}", language),
    )
    kind = "reminder" if reminder else "first"
    await context.mailer.send(
        Mail(
            to=display_address(registration.name, registration.email),
            subject=subject,
            text=text,
            html=html,
            message_id=f"<survey-{kind}-{registration_id}@moteplass>",
            language=language,
        )
    )
    if not reminder:
        async with context.pool.acquire() as conn:
            await queries.mark_sent(conn, registration_id, context.clock())
    return {"sent_to": registration.email, "reminder": reminder}


HANDLERS: dict[str, Handler] = {domain.FAN_OUT: fan_out, domain.REMIND: remind, domain.MAIL: send_survey}
