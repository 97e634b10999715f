"""Job handlers: the nominator's confirmation, the nominee's notice and the jury's reminder.

The confirmation carries the manage link, whose secret the database keeps only as a hash: the secret rides
in the job's payload until the mail is sent, and the handler then removes it from the row. A retry after
that finds no secret and skips (the mail went out). Message-IDs are derived from the job, so a mail sent
twice by an at-least-once retry is recognisably the same mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from integrations.mail import Mail, display_address

from .. import jobs
from ..i18n import Language, gettext, pick
from ..jobs import Handler, Job
from ..mailtemplates import render
from . import domain, links, queries

if TYPE_CHECKING:
    from ..jobcontext import JobContext


async def _send(
    context: JobContext, job: Job, *, name: str, email: str, language: Language, template: str, title: str, **extra: Any
) -> None:
    text, html = render(template, language, title=title, **extra)
    await context.mailer.send(
        Mail(
            to=display_address(name, email),
            subject=title,
            text=text,
            html=html,
            message_id=f"<job-{job.id}.{job.kind}@moteplass>",
            language=language,
        )
    )


async def send_confirmation(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`nomination.received`: the nominator's receipt with the link to see and withdraw the nomination."""
    secret = job.payload.get("secret")
    if not secret:
        return {"skipped": "sent already"}
    async with context.pool.acquire() as conn:
        nomination = await queries.nomination_by_id(conn, UUID(job.payload["nomination_id"]))
        if nomination is None:
            return {"skipped": "deleted"}
        call = await queries.call_by_id(conn, nomination.call_id)
        assert call is not None
        prize = await queries.prize_by_id(conn, call.prize_id)
        assert prize is not None
    language = nomination.language
    prize_name = pick(prize.name, language)
    await _send(
        context,
        job,
        name=nomination.nominator_name,
        email=nomination.nominator_email,
        language=language,
        template="nomination_received",
        title=gettext(language, "Thank you for your nomination: %(prize)s") % {"prize": prize_name},
        nomination=nomination,
        prize_name=prize_name,
        closes_at=call.closes_at,
        manage_url=f"{links.manage_url(context.settings, secret)}?lang={language}",
    )
    async with context.pool.acquire() as conn:
        await queries.scrub_job_secret(conn, job.id)
    return {"sent_to": nomination.nominator_email}


async def send_nominee_notice(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`nomination.nominee`: tell the nominee they were nominated (no nominator named, no justification)."""
    async with context.pool.acquire() as conn:
        nomination = await queries.nomination_by_id(conn, UUID(job.payload["nomination_id"]))
        if nomination is None or nomination.status == "withdrawn" or not nomination.nominee_email:
            return {"skipped": "withdrawn"}
        call = await queries.call_by_id(conn, nomination.call_id)
        assert call is not None
        prize = await queries.prize_by_id(conn, call.prize_id)
        assert prize is not None
    language = nomination.language
    prize_name = pick(prize.name, language)
    await _send(
        context,
        job,
        name=nomination.nominee_name,
        email=nomination.nominee_email,
        language=language,
        template="nomination_nominee",
        title=gettext(language, "You have been nominated: %(prize)s") % {"prize": prize_name},
        nomination=nomination,
        prize_name=prize_name,
        year=call.year,
    )
    return {"sent_to": nomination.nominee_email}


async def fan_out_reminders(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`prize.jury_reminder`, three days before scoring closes: one reminder job per juror still behind."""
    async with context.pool.acquire() as conn, conn.transaction():
        call = await queries.call_by_id(conn, UUID(job.payload["call_id"]))
        if call is None or call.scoring_locked_at is not None:
            return {"skipped": "locked"}
        if call.scoring_closes_at.isoformat() != job.payload["scoring_closes_at"]:
            return {"skipped": "deadline moved"}
        if context.clock() >= call.scoring_closes_at:
            return {"skipped": "scoring closed"}
        behind = [r for r in await queries.jurors_behind(conn, call.id) if r.missing > 0]
        for juror in behind:
            await jobs.enqueue(
                conn,
                domain.JUROR_REMINDER,
                {"call_id": str(call.id), "user_id": str(juror.id)},
                dedupe_key=f"{domain.JUROR_REMINDER}:{call.id}:{job.payload['scoring_closes_at']}:{juror.id}",
            )
    return {"jurors": len(behind)}


async def send_juror_reminder(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`prize.juror_reminder`: how many nominations the juror has left, and the link to the workspace."""
    async with context.pool.acquire() as conn:
        call = await queries.call_by_id(conn, UUID(job.payload["call_id"]))
        if call is None or call.scoring_locked_at is not None:
            return {"skipped": "locked"}
        prize = await queries.prize_by_id(conn, call.prize_id)
        assert prize is not None
        behind = await queries.jurors_behind(conn, call.id)
    juror = next((r for r in behind if str(r.id) == job.payload["user_id"]), None)
    if juror is None or juror.missing == 0:
        return {"skipped": "done"}
    language: Language = juror.language
    prize_name = pick(prize.name, language)
    await _send(
        context,
        job,
        name=juror.name,
        email=juror.email,
        language=language,
        template="jury_reminder",
        title=gettext(language, "Scoring closes soon: %(prize)s") % {"prize": prize_name},
        prize_name=prize_name,
        missing=juror.missing,
        closes_at=call.scoring_closes_at,
        workspace_url=f"{context.settings.base_url}/jury/calls/{call.id}",
    )
    return {"sent_to": juror.email}


HANDLERS: dict[str, Handler] = {
    domain.MAIL_RECEIVED: send_confirmation,
    domain.MAIL_NOMINEE: send_nominee_notice,
    domain.JURY_REMINDER: fan_out_reminders,
    domain.JUROR_REMINDER: send_juror_reminder,
}
