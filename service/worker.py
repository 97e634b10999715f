"""The worker process: the job handlers of every domain, run by jobs.Worker until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Mapping
from typing import Any

from integrations.mail import Mail, SmtpMailer
from integrations.slack import SlackApi, SlackClient

from . import db, metrics
from .announcements.notify import HANDLERS as announcement_handlers
from .certificates.notify import HANDLERS as certificate_handlers
from .console.notify import HANDLERS as console_handlers
from .jobcontext import JobContext
from .jobs import Handler, Job, Worker
from .nominations.notify import HANDLERS as nomination_handlers
from .privacy import retention
from .programme.notify import HANDLERS as programme_handlers
from .programme.notify import confirmed_with_programme, followed_by_sync
from .registrations.domain import MAIL_CONFIRMED, MAIL_LINK, MAIL_PROMOTED
from .registrations.notify import HANDLERS as registration_handlers
from .registrations.renew import MAIL_NEW_LINKS
from .reminders.notify import HANDLERS as reminder_handlers
from .settings import Settings
from .slack.jobs import HANDLERS as slack_handlers
from .surveys.notify import HANDLERS as survey_handlers
from .workshops.notify import HANDLERS as workshop_handlers

log = logging.getLogger(__name__)


async def send_mail(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`mail.send`: one prepared mail, payload {to, subject, text, html?, message_id?, language?}."""
    payload = job.payload
    await context.mailer.send(
        Mail(
            to=payload["to"],
            subject=payload["subject"],
            text=payload["text"],
            html=payload.get("html"),
            message_id=payload.get("message_id") or f"<job-{job.id}@moteplass>",
            language=payload.get("language", "nb"),
        )
    )
    return {"sent_to": payload["to"]}


def handlers() -> Mapping[str, Handler]:
    """The one table of job kinds and their handlers: each domain's own, registered here above them all."""
    # Every mail about a change of a registration's status is followed by a calendar sync (REQUEST or CANCEL);
    # the reminder of an existing link and new links change nothing a calendar holds. A confirmation lists the
    # day's programme (service/programme/notify.py).
    registration = {
        kind: handler if kind in (MAIL_LINK, MAIL_NEW_LINKS) else followed_by_sync(handler)
        for kind, handler in registration_handlers.items()
    }
    registration |= {kind: followed_by_sync(confirmed_with_programme) for kind in (MAIL_CONFIRMED, MAIL_PROMOTED)}
    return {
        "mail.send": send_mail,
        **registration,
        **programme_handlers,
        **nomination_handlers,
        **workshop_handlers,
        **console_handlers,
        **announcement_handlers,
        **slack_handlers,
        **reminder_handlers,
        **certificate_handlers,
        **survey_handlers,
    }


def make_slack(settings: Settings) -> SlackApi | None:
    """The Slack client, or None (said once in the log) when SLACK_BOT_TOKEN is not set."""
    if not settings.slack_bot_token:
        log.info("Slack is off: SLACK_BOT_TOKEN is not set")
        return None
    return SlackClient(settings.slack_bot_token, base_url=settings.slack_api_url)


class CountedMailer:
    """A mailer whose mails sent and failed show in the metrics."""

    def __init__(self, mailer: SmtpMailer) -> None:
        self.mailer = mailer

    async def send(self, mail: Mail) -> None:
        try:
            await self.mailer.send(mail)
        except Exception:
            metrics.count_mail(sent=False)
            raise
        metrics.count_mail(sent=True)

    async def close(self) -> None:
        await self.mailer.close()


def make_mailer(settings: Settings) -> SmtpMailer:
    """The worker's mailer: its connections to the relay are reused, at most SMTP_MAX_CONNECTIONS at once."""
    if not settings.smtp_url:
        raise RuntimeError("SMTP_URL is not set; the worker cannot send mail")
    return SmtpMailer(settings.smtp_url, settings.mail_from, max_connections=settings.smtp_max_connections)


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    assert settings.database_url
    # A connection for each job that runs at once, the listener's, and one for the heartbeat.
    pool = await db.create_pool(
        settings.database_url,
        size=settings.worker_concurrency + 2,
        timeouts=settings.worker_timeouts(),
        statement_cache_size=settings.db_statement_cache_size,
    )
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    mailer = CountedMailer(make_mailer(settings))
    if settings.metrics_port:
        metrics.serve_on_port(settings.host, settings.metrics_port)
    context = JobContext(pool=pool, settings=settings, mailer=mailer, slack=make_slack(settings))
    worker = Worker(
        pool,
        handlers(),
        context,
        lease_seconds=settings.job_lease_seconds,
        poll_seconds=settings.job_poll_seconds,
        batch_size=settings.worker_concurrency,
        purge=retention.purger(settings.retention_days, context.clock),
        max_age=settings.job_max_age,
        retry_schedule=settings.job_retry_schedule,
        stop_grace_seconds=settings.worker_stop_grace,
    )
    log.info("worker started", extra={"worker": worker.name})
    try:
        async with metrics.sampling_pool(pool):
            await worker.run(stop)
    finally:
        await mailer.close()
        await pool.close()
        log.info("worker stopped", extra={"worker": worker.name})
