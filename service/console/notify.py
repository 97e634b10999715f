"""Job handler: the mail with a link to set a console password (an invitation or a reset)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from integrations.mail import Mail, display_address

from ..i18n import Language, gettext, parse_language
from ..jobs import Handler, Job
from ..mailtemplates import render
from . import passwords, queries

if TYPE_CHECKING:
    from ..jobcontext import JobContext

SUBJECTS = {"invite": "You are invited to the Møteplass console", "reset": "Set a new password for Møteplass"}


async def send_password_link(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """One mail per link; a link already used or expired is not worth sending."""
    settings = context.settings
    link_id = UUID(job.payload["link_id"])
    async with context.pool.acquire() as conn:
        link = await queries.link_by_id(conn, link_id)
    if link is None or link.used_at is not None or link.expires_at <= context.clock():
        return {"skipped": "used or expired"}
    language: Language = parse_language(link.language) or "nb"
    title = gettext(language, SUBJECTS[link.purpose])
    url = f"{settings.base_url}/console/password/{passwords.link_code(settings.require_secret_key(), link_id)}"
    text, html = render("console_password", language, title=title, link=link, url=url, invite=link.purpose == "invite")
    await context.mailer.send(
        Mail(
            to=display_address(link.name, link.email) if link.name else link.email,
            subject=title,
            text=text,
            html=html,
            message_id=f"<job-{job.id}.console.{link_id}@moteplass>",
            language=language,
        )
    )
    return {"sent_to": link.email}


HANDLERS: dict[str, Handler] = {passwords.MAIL_PASSWORD_LINK: send_password_link}
