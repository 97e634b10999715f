"""Job handlers: start sending, one mail per recipient in their language, the post in the event's channel,
and the report back to the organiser in Slack."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from integrations.mail import Mail, display_address
from integrations.slack.blocks import message_pages, text_message

from .. import jobs
from ..i18n import Language, gettext, ngettext, parse_language, pick
from ..jobs import Handler, Job, RetryLater
from ..mailtemplates import render
from ..slack.outbox import post_once
from . import channels, domain, markup, queries
from .audiences import AUDIENCES

if TYPE_CHECKING:
    from ..jobcontext import JobContext

# A mail claimed longer ago than this was being sent by a worker that died; another may send it.
STALE_CLAIM = timedelta(minutes=5)


async def start_sending(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`announcement.send`: fix the recipients, queue their mails and the channel post."""
    async with context.pool.acquire() as conn:
        count = await domain.start_sending(conn, UUID(job.payload["announcement_id"]), now=context.clock())
    return {"recipients": count} if count is not None else {"skipped": "not scheduled"}


async def send_mail(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`announcement.mail`: one recipient's mail, once; the last attempt's failure is counted as failed."""
    recipient_id = int(job.payload["recipient_id"])
    async with context.pool.acquire() as conn:
        row = await queries.mail_context(conn, recipient_id)
        if row is None or row.status not in ("pending", "sending"):
            return {"skipped": "done before"}
        if row.registration_id is not None and row.email is None:  # added by hand without an address
            await domain.record_mail(conn, recipient_id, status="skipped", error=None, now=context.clock())
            return {"skipped": "no e-mail address"}
        if row.registration_id is None or row.registration_status == "cancelled":
            await domain.record_mail(conn, recipient_id, status="skipped", error=None, now=context.clock())
            return {"skipped": "no longer registered"}
        if not await queries.claim_recipient(conn, recipient_id, context.clock(), STALE_CLAIM):
            raise RetryLater(STALE_CLAIM.total_seconds() / 5, "another worker is sending this mail")
    assert row.name is not None  # the registration was found: it has a name and an address
    assert row.email is not None
    language: Language = row.language or "nb"
    subject = pick(row.subject, language)
    body = pick(row.body, language)
    event_title = pick(row.title, language)
    text, html = render(
        "announcement",
        language,
        title=subject,
        attendee=row.name,
        body_text=markup.to_text(body),
        body_html=markup.to_html(body),
        event_title=event_title,
        event_url=f"{context.settings.base_url}/events/{row.slug}?lang={language}",
    )
    mail = Mail(
        to=display_address(row.name, row.email),
        subject=subject,
        text=text,
        html=html,
        message_id=f"<announcement-{row.announcement_id}-{row.registration_id}@moteplass>",
        language=language,
    )
    try:
        await context.mailer.send(mail)
    except Exception as exc:
        async with context.pool.acquire() as conn:
            if job.final:
                await domain.record_mail(conn, recipient_id, status="failed", error=str(exc)[:500], now=context.clock())
            else:
                await queries.release_recipient(conn, recipient_id)
        raise
    async with context.pool.acquire() as conn:
        await domain.record_mail(conn, recipient_id, status="sent", error=None, now=context.clock())
    return {"sent_to": row.email}


async def post_to_channel(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`announcement.post`: the announcement in the event's channel, once, in the channel's language."""
    announcement_id = UUID(job.payload["announcement_id"])
    async with context.pool.acquire() as conn:
        announcement = await queries.by_id(conn, announcement_id)
        channel = await channels.channel_of(conn, announcement.event_id) if announcement else None
        slug = await queries.event_slug(conn, announcement.event_id) if announcement else None
    if announcement is None or channel is None or context.slack is None:
        return {"skipped": "no channel"}
    language = channel.language
    audience = gettext(language, AUDIENCES[announcement.audience].label) if announcement.audience in AUDIENCES else ""
    subject = pick(announcement.subject, language)
    pages = message_pages(
        subject,
        markup.to_slack(pick(announcement.body, language)),
        context=[gettext(language, "Announcement to: %(audience)s") % {"audience": audience}],
        link=(f"{context.settings.base_url}/events/{slug}", gettext(language, "Open the event page")),
    )
    try:
        stamps = await post_once(
            context.pool,
            context.slack,
            effect_key=f"announcement:{announcement_id}",
            channel=channel.channel_id,
            text=subject,
            pages=pages,
            now=context.clock(),
        )
    except Exception:
        if job.final:
            async with context.pool.acquire() as conn:
                await queries.set_channel_posted(conn, announcement_id, False)
                await jobs.enqueue(
                    conn,
                    domain.REPORT,
                    {"announcement_id": str(announcement_id), "channel_failed": True},
                    dedupe_key=f"{domain.REPORT}:{announcement_id}:channel_failed",
                )
        raise
    async with context.pool.acquire() as conn:
        await queries.set_channel_posted(conn, announcement_id, True)
    return {"channel": channel.channel_id, "ts": stamps}


def report_text(language: Language, subject: str, sent: int, failed: int, skipped: int, posted: bool | None) -> str:
    lines = [
        gettext(language, "Announcement “%(subject)s”:") % {"subject": subject},
        ngettext(language, "%(n)s mail sent", "%(n)s mails sent", sent) % {"n": sent},
        ngettext(language, "%(n)s mail failed", "%(n)s mails failed", failed) % {"n": failed},
    ]
    if skipped:
        lines.append(
            ngettext(language, "%(n)s no longer registered", "%(n)s no longer registered", skipped) % {"n": skipped}
        )
    if posted is True:
        lines.append(gettext(language, "Posted in the event's channel."))
    elif posted is False:
        lines.append(gettext(language, "The post in the event's channel failed."))
    return "\n".join(lines)


async def report(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`announcement.report`: tell the organiser who sent it from Slack how many mails went out and failed."""
    announcement_id = UUID(job.payload["announcement_id"])
    async with context.pool.acquire() as conn:
        announcement = await queries.by_id(conn, announcement_id)
        language = await queries.creator_language(conn, announcement_id)
        if announcement is not None and not job.payload.get("channel_failed"):
            await queries.mark_reported(conn, announcement_id, context.clock())
    user = announcement.report_to.get("slack_user") if announcement else None
    if announcement is None or not user or context.slack is None:
        return {"skipped": "not from Slack"}
    language = parse_language(language) or "nb"
    subject = pick(announcement.subject, language)
    if job.payload.get("channel_failed"):
        text = (
            gettext(language, "Announcement “%(subject)s”:") % {"subject": subject}
            + "\n"
            + gettext(language, "The post in the event's channel failed.")
        )
    else:
        text = report_text(
            language,
            subject,
            announcement.mails_sent,
            announcement.mails_failed,
            announcement.mails_skipped,
            announcement.channel_posted,
        )
    key = f"announcement.report:{announcement_id}" + (":channel_failed" if job.payload.get("channel_failed") else "")
    await post_once(
        context.pool,
        context.slack,
        effect_key=key,
        channel=user,
        text=text,
        pages=[text_message(text)],
        now=context.clock(),
    )
    return {"reported_to": user}


HANDLERS: dict[str, Handler] = {
    domain.SEND: start_sending,
    domain.MAIL: send_mail,
    domain.POST: post_to_channel,
    domain.REPORT: report,
}
