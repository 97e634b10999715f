"""Announcements in the console, as from Slack: write one (subject and text in bokmål, nynorsk and English),
choose who gets it, preview it with the number of recipients, then send it now or at a chosen time; a list
with status and counts. Every change goes through service/announcements."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ..announcements import channels
from ..announcements import domain as announcements
from ..announcements.audiences import AUDIENCES
from ..announcements.schemas import Announcement, AnnouncementIn, ChannelIn
from ..errors import DomainError, NotFound
from ..events import domain as events
from ..events.schemas import Event
from ..http import Caller, Conn, Now
from ..i18n import LANGUAGE_NAMES, LANGUAGES
from ..programme import domain as programme
from ..programme.schemas import Session
from . import forms
from .guard import ORGANISER, console_page

LABELS = {
    "subject_nb": "Subject (bokmål)",
    "subject_nn": "Subject (nynorsk)",
    "subject_en": "Subject (English)",
    "body_nb": "Text (bokmål)",
    "body_nn": "Text (nynorsk)",
    "body_en": "Text (English)",
    "audience": "Recipients",
    "audience_ref": "Session",
    "send_at": "Send at (Norwegian time)",
    "form": "The form",
}
CHANNEL_LABELS = {"channel_id": "Slack channel ID", "language": "Language in the channel", "form": "The form"}
CHANNEL_ERRORS = {
    **forms.ERROR_TEXTS,
    "channel_id.invalid": "Write the channel's ID, like C0123ABCD: in Slack, open the channel's details; the ID is "
    "at the bottom.",
    "channel_id.required": "Write the channel's ID, like C0123ABCD: in Slack, open the channel's details; the ID is "
    "at the bottom.",
    "language.invalid": "Choose bokmål, nynorsk or English.",
}
ERRORS = {
    **forms.ERROR_TEXTS,
    "invalid_audience": "Choose who gets the announcement (and the session, for one session's attendees).",
    "send_at_in_past": "Choose a time that has not passed.",
}


def announcement_values(form: dict[str, str]) -> dict[str, Any]:
    """The form as AnnouncementIn's JSON. Raises FormErrors."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"audience": form.get("audience", "")}
    for name in ("subject", "body"):
        texts = {code: form.get(f"{name}_{code}", "").strip() for code in LANGUAGES}
        if not texts["nb"]:
            errors[f"{name}_nb"] = "required"
        values[name] = {code: text for code, text in texts.items() if text}
    if values["audience"] == "session":
        values["audience_ref"] = form.get("audience_ref", "") or None
        if values["audience_ref"] is None:
            errors["audience_ref"] = "invalid_audience"
    if form.get("when") == "later":
        try:
            values["send_at"] = forms.parse_local_time(form.get("send_at", ""))
        except ValueError:
            errors["send_at"] = "invalid_datetime"
        if values.get("send_at") is None and "send_at" not in errors:
            errors["send_at"] = "required"
    if errors:
        raise forms.FormErrors(errors)
    return values


async def _announcement(conn: Conn, event: Event, announcement_id: UUID, principal: Any) -> Announcement:
    announcement = await announcements.get_announcement(conn, announcement_id, actor=principal)
    if announcement.event_id != event.id:
        raise NotFound("announcement_not_found", "no such announcement")
    return announcement


async def _scheduled_sessions(conn: Conn, event: Event) -> list[Session]:
    """The sessions an announcement can go to the attendees of."""
    return [s for s in await programme.list_sessions(conn, event.id) if s.status == "scheduled"]


def _shows_progress(announcement: Announcement) -> bool:
    """Whether the page shows the sending's figures: from the moment it is confirmed to go now."""
    return announcement.status in ("sending", "sent") or (
        announcement.status == "scheduled" and announcement.send_at is None
    )


class AnnouncementPages(Controller):
    path = "/console/events/{slug:str}/announcements"
    include_in_schema = False

    dependencies = forms.FORM_PAGES

    async def _page(self, console: forms.Console, event: Event, state: forms.State) -> Template:
        sessions = {str(s.id): s for s in await _scheduled_sessions(console.conn, event)}
        written = await announcements.list_announcements(console.conn, event.id, actor=console.principal)
        return console.page(
            "console/announcements.html",
            state,
            (LABELS, ERRORS),
            event=event,
            section="announcements",
            announcements=written,
            channel=await channels.channel_of(console.conn, event.id),
            languages=LANGUAGE_NAMES,
            audiences=AUDIENCES,
            sessions=sessions,
            notice=console.notice,
        )

    @get("/")
    async def announcements_page(self, slug: FromPath[str], console: forms.Page) -> Template:
        return await self._page(console, await console.event(slug), ({"audience": "confirmed", "when": "now"}, {}))

    @post("/", status_code=303)
    async def write(self, slug: FromPath[str], data: forms.FormData, console: forms.Page) -> Response[Any]:
        """Save a draft and show its preview; nothing is sent before the preview is confirmed."""
        event = await console.event(slug)

        async def write() -> str:
            body = forms.convert(announcement_values(data), AnnouncementIn)
            draft = await announcements.create_announcement(
                console.conn, event.id, data=body, actor=console.principal, now=console.now
            )
            return f"/console/events/{slug}/announcements/{draft.id}"

        return await console.submit(write, lambda errors: self._page(console, event, (data, errors)))

    async def _channel_page(self, console: forms.Console, event: Event, state: forms.State) -> Template:
        return console.page(
            "console/slack_channel.html",
            state,
            (CHANNEL_LABELS, CHANNEL_ERRORS),
            event=event,
            section="announcements",
            channel=await channels.channel_of(console.conn, event.id),
            languages=LANGUAGE_NAMES,
            notice=console.notice,
        )

    @get("/slack-channel")
    async def channel_page(self, slug: FromPath[str], console: forms.Page) -> Template:
        """Where Møteplass posts news about the event in Slack, and in which language."""
        event = await console.event(slug)
        current = await channels.channel_of(console.conn, event.id)
        values = {"channel_id": current.channel_id, "language": current.language} if current else {"language": "nb"}
        return await self._channel_page(console, event, (values, {}))

    @post("/slack-channel", status_code=303)
    async def set_channel(self, slug: FromPath[str], data: forms.FormData, console: forms.Page) -> Response[Any]:
        """Choose the channel (or its language), through the function the API calls."""
        event = await console.event(slug)

        async def choose() -> str:
            chosen = forms.convert(
                {"channel_id": data.get("channel_id", "").strip(), "language": data.get("language", "nb")}, ChannelIn
            )
            await channels.set_channel(
                console.conn,
                slug,
                channel_id=chosen.channel_id,
                language=chosen.language,
                actor=console.principal,
                now=console.now,
            )
            return f"/console/events/{slug}/announcements/slack-channel?notice=channel_set"

        return await console.submit(choose, lambda errors: self._channel_page(console, event, (data, errors)))

    @post("/slack-channel/remove", status_code=303)
    async def remove_channel(self, slug: FromPath[str], console: forms.Page) -> Redirect:
        """No more posts about this event in Slack."""
        await channels.remove_channel(console.conn, slug, actor=console.principal)
        return Redirect(f"/console/events/{slug}/announcements/slack-channel?notice=channel_removed", status_code=303)

    @get("/{announcement_id:uuid}")
    async def preview(
        self,
        slug: FromPath[str],
        announcement_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
    ) -> Template:
        """The announcement as written, to whom, and how many it reaches now."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        announcement = await _announcement(conn, event, announcement_id, principal)
        count = await announcements.count_recipients(conn, event.id, announcement.audience, announcement.audience_ref)
        session = None
        if announcement.audience_ref:
            session = await programme.get_session(conn, UUID(announcement.audience_ref))
        return console_page(
            request,
            "console/announcement.html",
            principal,
            event_slug=slug,
            section="announcements",
            event=event,
            announcement=announcement,
            audience=AUDIENCES[announcement.audience],
            session=session,
            count=count,
            progress=await announcements.sending_progress(conn, announcement_id, actor=principal),
            live=_shows_progress(announcement),
            error=request.query_params.get("error"),
            notice=request.query_params.get("notice"),
        )

    @get("/{announcement_id:uuid}/progress")
    async def progress(
        self,
        slug: FromPath[str],
        announcement_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
    ) -> Template:
        """The sending's figures alone: what the announcement's page polls every two seconds until it is done."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        announcement = await _announcement(conn, event, announcement_id, principal)
        return console_page(
            request,
            "console/_announcement_progress.html",
            principal,
            event=event,
            announcement=announcement,
            progress=await announcements.sending_progress(conn, announcement_id, actor=principal),
        )

    @post("/{announcement_id:uuid}/send", status_code=303)
    async def send(
        self, slug: FromPath[str], announcement_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now
    ) -> Redirect:
        """Confirm: send now, or at its time. A second press changes nothing."""
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        await _announcement(conn, event, announcement_id, principal)
        try:
            confirmed, _ = await announcements.confirm_announcement(conn, announcement_id, actor=principal, now=now)
        except DomainError as error:
            if error.status in (401, 403, 404):
                raise
            return Redirect(f"/console/events/{slug}/announcements/{announcement_id}?error={error.code}")
        if confirmed.send_at:
            return Redirect(f"/console/events/{slug}/announcements?notice=scheduled", status_code=303)
        # Sent now: its own page, where the figures count up while the mails go out.
        return Redirect(f"/console/events/{slug}/announcements/{announcement_id}?notice=sending", status_code=303)

    @post("/{announcement_id:uuid}/cancel", status_code=303)
    async def cancel(
        self, slug: FromPath[str], announcement_id: FromPath[UUID], conn: Conn, principal: Caller
    ) -> Redirect:
        event = await events.get_event_for_actor(conn, slug, principal, *ORGANISER)
        await _announcement(conn, event, announcement_id, principal)
        try:
            await announcements.cancel_announcement(conn, announcement_id, actor=principal)
        except DomainError as error:
            if error.status in (401, 403, 404):
                raise
            return Redirect(f"/console/events/{slug}/announcements/{announcement_id}?error={error.code}")
        return Redirect(f"/console/events/{slug}/announcements?notice=cancelled", status_code=303)
