"""Job handlers of the Slack app: a slash command's work (after the request was answered) and the watcher."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from integrations.slack import SlackError
from integrations.slack.blocks import bullets, compose_view, fields_message, message_pages, text_message

from .. import jobs
from ..announcements.audiences import AUDIENCES
from ..announcements.channels import WATCH, WATCH_SECONDS, watch_key
from ..i18n import Language, gettext, pick
from ..jobs import Handler, Job
from ..programme import queries as programme_queries
from . import identity, queries, stats, watch
from .outbox import post_once, reply
from .posts import POST, message_in
from .schemas import UpcomingEvent

if TYPE_CHECKING:
    from ..jobcontext import JobContext

COMMAND = "slack.command"


def translator(language: Language) -> Callable[[str], str]:
    def translate(msgid: str) -> str:
        return gettext(language, msgid)

    return translate


def help_text(language: Language) -> str:
    return "\n".join(
        [
            gettext(language, "*Møteplass in Slack*"),
            gettext(language, "`/moteplass announce` – write an announcement to the attendees of an event"),
            gettext(language, "`/moteplass stats [event]` – registrations, seats, waiting list, cancellations today"),
            gettext(language, "`/moteplass help` – this help"),
        ]
    )


def refusal(language: Language) -> str:
    return gettext(
        language,
        "Sorry, /moteplass is for the organisers of Møteplass events. If you are one, ask an administrator to "
        "register the e-mail address of your Slack profile as an organiser.",
    )


async def run_command(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`slack.command`: help, stats or opening the announce modal, for organisers only."""
    if context.slack is None:
        return {"skipped": "Slack is off"}
    slack = context.slack
    payload = job.payload
    words = str(payload.get("text", "")).split()
    sub = words[0].lower() if words else "help"
    now = context.clock()
    target = {"response_url": payload.get("response_url"), "user_id": payload["user_id"], "now": now}

    async def answer(*messages: tuple[str, list[dict[str, Any]] | None]) -> None:
        for number, (text, blocks) in enumerate(messages):
            await reply(
                context.pool,
                slack,
                effect_key=f"{COMMAND}:{job.id}:{number}",
                text=text,
                blocks=blocks or text_message(text),
                **target,
            )

    # Read what is needed, then let the connection go before talking to Slack (the pool is small).
    messages: list[tuple[str, list[dict[str, Any]] | None]] = []
    async with context.pool.acquire() as conn:
        principal = await identity.organiser_for(conn, slack, payload["team_id"], payload["user_id"])
        language: Language = principal.language if principal else "nb"  # type: ignore[assignment]
        events: list[UpcomingEvent] = []
        if principal is None:
            messages.append((refusal(language), None))
        elif sub not in ("announce", "stats"):
            messages.append((help_text(language), None))
        else:
            events = await stats.events_of(conn, principal.user_id, admin=principal.role == "admin", now=now)
            events = [e for e in events if e.slug == words[1]] if len(words) > 1 else events
            if not events:
                messages.append((gettext(language, "You have no upcoming events with that name in Møteplass."), None))
            elif sub == "stats":
                for event in events[:5]:
                    lines = await stats.event_stats(conn, event.id, language, now)
                    title = stats.title_of(event, language)
                    link = (
                        f"{context.settings.base_url}/events/{event.slug}",
                        gettext(language, "Open the event page"),
                    )
                    messages.append((title, fields_message(title, lines, link=link)))
    if messages:
        await answer(*messages)
        return {"answered": sub if principal else "refused", "messages": len(messages)}
    t = translator(language)
    audiences = [(key, t(audience.label)) for key, audience in AUDIENCES.items() if not audience.needs_ref]
    if len(events) == 1:  # `/moteplass announce <event>`: its sessions can be the audience too
        async with context.pool.acquire() as conn:
            sessions = await programme_queries.sessions_of_event(conn, events[0].id)
        audiences += [
            (f"session:{s.id}", f"{t('Session')}: {pick(s.title, language)}")
            for s in sessions
            if s.status == "scheduled" and s.kind != "break"
        ][: 100 - len(audiences)]  # Slack's limit on options in one select
    view = compose_view(
        t,
        events=[(e.slug, stats.title_of(e, language)) for e in events],
        audiences=audiences,
        metadata=json.dumps({"response_url": payload.get("response_url")}),
    )
    try:
        await slack.open_view(str(payload["trigger_id"]), view)
    except SlackError as exc:
        if exc.error in ("expired_trigger_id", "invalid_trigger_id"):
            await answer((gettext(language, "That took too long; please run the command again."), None))
            return {"answered": "trigger expired"}
        raise
    return {"opened": "announce"}


async def run_watch(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`slack.watch`: one batched message about what changed, then look again in a minute."""
    event_id = UUID(job.payload["event_id"])
    now = context.clock()
    async with context.pool.acquire() as conn:
        state = await watch.state_of(conn, event_id)
        if not watch.still_watching(state, now):
            return {"stopped": True}
        assert state is not None
        language = state.language
        found = await watch.digest(conn, event_id, state, language)
    posted = False
    if found.lines and context.slack is not None:
        title = gettext(language, "News about %(event)s") % {"event": pick(state.title, language) or state.slug}
        link = (f"{context.settings.base_url}/events/{state.slug}", gettext(language, "Open the event page"))
        pages = message_pages(title, bullets(found.lines), link=link)
        await post_once(
            context.pool,
            context.slack,
            effect_key=f"{WATCH}:{job.id}",
            channel=state.channel_id,
            text=title + "\n" + "\n".join(found.lines),
            pages=pages,
            now=now,
        )
        posted = True
    async with context.pool.acquire() as conn, conn.transaction():
        await watch.save(conn, event_id, state, found)
        later = now + timedelta(seconds=WATCH_SECONDS)
        await jobs.enqueue(
            conn, WATCH, {"event_id": str(event_id)}, dedupe_key=watch_key(event_id, later), run_after=later
        )
    return {"posted": posted, "lines": len(found.lines)}


async def run_post(context: JobContext, job: Job) -> Mapping[str, Any] | None:
    """`slack.post`: one message a domain asked for, to the event's channel (see service/slack/posts.py)."""
    if context.slack is None:
        return {"skipped": "Slack is off"}
    async with context.pool.acquire() as conn:
        channel = await queries.channel_of(conn, UUID(job.payload["event_id"]))
    if channel is None:
        return {"skipped": "the event has no channel"}
    title, lines = message_in(job.payload, channel.language)
    link = (f"{context.settings.base_url}/events/{channel.slug}", gettext(channel.language, "Open the event page"))
    stamps = await post_once(
        context.pool,
        context.slack,
        effect_key=f"{POST}:{job.id}",
        channel=channel.channel_id,
        text=title + "\n" + "\n".join(lines),
        pages=message_pages(title, bullets(lines), link=link),
        now=context.clock(),
    )
    return {"posted": stamps}


HANDLERS: dict[str, Handler] = {COMMAND: run_command, WATCH: run_watch, POST: run_post}
