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
from ..progress import Progress
from ..slack.outbox import post_once, update_posted
from . import channels, domain, markup, queries
from .audiences import AUDIENCES
from .schemas import Announcement

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


def status_key(announcement_id: UUID) -> str:
    """The effect key of the report message in Slack: posted once, then updated in place."""
    return f"{domain.REPORT}:{announcement_id}"


def progress_text(language: Language, subject: str, progress: Progress) -> str:
    if progress.total is None:  # the recipients are not fixed yet: no "0 of 0"
        figures = gettext(language, "Getting ready to send …")
    else:
        figures = gettext(language, "Sending: %(sent)s of %(total)s sent, %(failed)s failed") % {
            "sent": progress.sent,
            "total": progress.total,
            "failed": progress.failed,
        }
    return gettext(language, "Announcement “%(subject)s”:") % {"subject": subject} + "\n" + figures


def final_text(language: Language, announcement: Announcement, progress: Progress) -> str:
    subject = pick(announcement.subject, language)
    return report_text(language, subject, progress.sent, progress.failed, progress.skipped, announcement.channel_posted)


async def _reported(context: JobContext, announcement_id: UUID) -> tuple[Announcement, Progress, Language] | None:
    async with context.pool.acquire() as conn:
        announcement = await queries.by_id(conn, announcement_id)
        progress = await queries.progress(conn, announcement_id)
        language = parse_language(await queries.creator_language(conn, announcement_id)) or "nb"
    if announcement is None or progress is None or context.slack is None:
        return None
    if not announcement.report_to.get("slack_user"):
        return None
    return announcement, progress, language


async def follow_progress(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`announcement.progress`: for an announcement sent from Slack, the report message is posted a few seconds
    after the mails start going out (when they are not done by then) and updated in place (chat.update, a tier 3
    method) every few seconds while the figures change. A look after the end writes the final figures again, so
    an update that raced the report's final one never leaves stale figures behind."""
    announcement_id = UUID(job.payload["announcement_id"])
    found = await _reported(context, announcement_id)
    if found is None:
        return {"skipped": "not from Slack"}
    assert context.slack is not None
    announcement, progress, language = found
    key = status_key(announcement_id)
    if progress.done:
        if job.payload.get("shown") is None:  # done before the first look: the report alone says it
            return {"done": True, "updated": False}
        text = final_text(language, announcement, progress)
        updated = await update_posted(context.pool, context.slack, effect_key=key, text=text, blocks=text_message(text))
        return {"done": True, "updated": updated}
    text = progress_text(language, pick(announcement.subject, language), progress)
    changed = text != job.payload.get("shown")  # an unchanged message is not updated (Slack's rate limits)
    if changed and not await update_posted(
        context.pool, context.slack, effect_key=key, text=text, blocks=text_message(text)
    ):
        await post_once(
            context.pool,
            context.slack,
            effect_key=key,
            channel=announcement.report_to["slack_user"],
            text=text,
            pages=[text_message(text)],
            now=context.clock(),
        )
    tick = int(job.payload.get("tick", 0)) + 1
    # While nothing moves (the relay is down, the mails wait for their retries), look less often.
    later = context.clock() + (domain.PROGRESS_EVERY if changed else domain.PROGRESS_IDLE)
    async with context.pool.acquire() as conn:
        await jobs.enqueue(
            conn,
            domain.PROGRESS,
            {"announcement_id": str(announcement_id), "tick": tick, "shown": text},
            dedupe_key=domain.progress_key(announcement_id, tick),
            run_after=later,
        )
    return {"sent": progress.sent, "failed": progress.failed, "total": progress.total}


async def report(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`announcement.report`: tell the organiser who sent it from Slack how many mails went out and failed, in
    the message that showed the progress (or a new one when the sending was too quick for it)."""
    announcement_id = UUID(job.payload["announcement_id"])
    if not job.payload.get("channel_failed"):
        async with context.pool.acquire() as conn:
            await queries.mark_reported(conn, announcement_id, context.clock())
    found = await _reported(context, announcement_id)
    if found is None:
        return {"skipped": "not from Slack"}
    assert context.slack is not None
    announcement, progress, language = found
    user = announcement.report_to["slack_user"]
    if job.payload.get("channel_failed"):
        text = (
            gettext(language, "Announcement “%(subject)s”:") % {"subject": pick(announcement.subject, language)}
            + "\n"
            + gettext(language, "The post in the event's channel failed.")
        )
        key = f"{status_key(announcement_id)}:channel_failed"
    else:
        text = final_text(language, announcement, progress)
        key = status_key(announcement_id)
        if await update_posted(context.pool, context.slack, effect_key=key, text=text, blocks=text_message(text)):
            return {"reported_to": user, "updated": True}
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
    domain.PROGRESS: follow_progress,
}
