"""The announce modal's submissions, answered within Slack's 3 seconds: the compose step stores a draft and
answers with a preview (recipient count); the confirm step schedules it, once however often it is pressed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from babel.dates import format_datetime

from integrations.slack.blocks import COMPOSE, CONFIRM, notice_view, preview_view

from ..accounts.schemas import Principal
from ..announcements import domain as announcements
from ..announcements import markup
from ..announcements.audiences import AUDIENCES
from ..announcements.schemas import AnnouncementIn
from ..errors import DomainError
from ..events import domain as events
from ..i18n import Language, pick
from ..problems import field_of
from ..types import OSLO
from .identity import linked_organiser
from .jobs import refusal, translator

_LOCALES = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}
# Where a field of AnnouncementIn is shown in the modal.
_BLOCK_OF = {"audience": "audience", "send_at": "send_at", "subject": "subject_nb", "body": "body_nb"}


def _errors(errors: dict[str, str]) -> dict[str, Any]:
    return {"response_action": "errors", "errors": errors}


def _value(values: dict[str, Any], block: str) -> Any:
    element = (values.get(block) or {}).get(block) or {}
    if "selected_option" in element:
        return (element.get("selected_option") or {}).get("value")
    if "selected_date_time" in element:
        return element.get("selected_date_time")
    value = element.get("value")
    return value.strip() if isinstance(value, str) and value.strip() else None


def when_text(moment: datetime, language: Language) -> str:
    pattern = "EEEE d. MMMM y 'kl.' HH:mm" if language != "en" else "EEEE d MMMM y, HH:mm"
    return format_datetime(moment.astimezone(OSLO), pattern, locale=_LOCALES[language])


def _announcement_in(values: dict[str, Any], now: datetime, t: Any) -> AnnouncementIn | dict[str, str]:
    texts: dict[str, dict[str, str]] = {"subject": {}, "body": {}}
    problems: dict[str, str] = {}
    for language in ("nb", "nn", "en"):
        subject, body = _value(values, f"subject_{language}"), _value(values, f"body_{language}")
        if (subject is None) != (body is None):
            missing = f"body_{language}" if body is None else f"subject_{language}"
            problems[missing] = t("Write both the subject and the text in this language, or neither.")
        if subject and body:
            texts["subject"][language], texts["body"][language] = subject, body
    send_at: datetime | None = None
    if _value(values, "when") == "later":
        stamp = _value(values, "send_at")
        if stamp is None:
            problems["send_at"] = t("Choose when to send it.")
        else:
            send_at = datetime.fromtimestamp(int(stamp), UTC)
            if send_at <= now:
                problems["send_at"] = t("The time to send is in the past.")
    if problems:
        return problems
    # A session's attendees come as "session:<id>" (the modal lists the sessions of the one event named).
    audience, _, ref = (_value(values, "audience") or "").partition(":")
    raw = {"audience": audience, "audience_ref": ref or None, **texts, "send_at": send_at}
    try:
        return msgspec.convert(raw, AnnouncementIn, from_attributes=False)
    except msgspec.ValidationError as exc:
        field = field_of(exc, top=True)
        return {
            _BLOCK_OF.get(field or "subject", "subject_nb"): t("This is not valid: %(reason)s") % {"reason": str(exc)}
        }


async def _compose(
    conn: asyncpg.Connection, payload: dict[str, Any], principal: Principal, now: datetime
) -> dict[str, Any]:
    language: Language = principal.language  # type: ignore[assignment]
    t = translator(language)
    view = payload["view"]
    values = view.get("state", {}).get("values", {})
    data = _announcement_in(values, now, t)
    if isinstance(data, dict):
        return _errors(data)
    try:
        event = await events.get_event_for_actor(conn, _value(values, "event") or "", principal, "organiser")
        announcement = await announcements.create_announcement(
            conn,
            event.id,
            data=data,
            actor=principal,
            now=now,
            source_key=f"slack:{view['id']}",
            report_to={"slack_user": payload["user"]["id"], "team": payload["user"].get("team_id", "")},
        )
        count = await announcements.count_recipients(conn, event.id, data.audience, data.audience_ref)
    except DomainError as exc:
        if exc.code == "invalid_audience":
            return _errors({"audience": t("The recipients are not valid")})
        return _errors({"event": t("You cannot announce to this event.") + f" ({exc.code})"})
    audience = t(AUDIENCES[data.audience].label)
    languages = ", ".join(
        name for code, name in (("nb", "bokmål"), ("nn", "nynorsk"), ("en", "English")) if code in announcement.subject
    )
    summary = [
        (t("Event"), pick(event.title, language)),
        (t("Recipients"), f"{audience}: {count}"),
        (t("When"), when_text(data.send_at, language) if data.send_at else t("Now")),
        (t("Languages"), languages),
    ]
    preview = preview_view(
        t,
        announcement_id=str(announcement.id),
        subject=announcement.subject["nb"],
        body=markup.to_slack(announcement.body["nb"]),
        summary=summary,
        submit=t("Schedule") if data.send_at else t("Send"),
    )
    return {"response_action": "update", "view": preview}


async def _confirm(
    conn: asyncpg.Connection, payload: dict[str, Any], principal: Principal, now: datetime
) -> dict[str, Any]:
    language: Language = principal.language  # type: ignore[assignment]
    t = translator(language)
    try:
        announcement_id = UUID(payload["view"].get("private_metadata", ""))
        announcement, confirmed_now = await announcements.confirm_announcement(
            conn,
            announcement_id,
            actor=principal,
            now=now,
            report_to={"slack_user": payload["user"]["id"], "team": payload["user"].get("team_id", "")},
        )
    except (ValueError, DomainError) as exc:
        code = getattr(exc, "code", "invalid")
        return {
            "response_action": "update",
            "view": notice_view(t("Not sent"), t("The announcement could not be sent.") + f" ({code})"),
        }
    if not confirmed_now:
        text = t("This announcement is already confirmed; it is sent only once.")
    elif announcement.send_at:
        text = t("Scheduled for %(when)s. You get a report here when the mails have gone out.") % {
            "when": when_text(announcement.send_at, language)
        }
    else:
        text = t("Sending now. You get a report here when the mails have gone out.")
    return {"response_action": "update", "view": notice_view(t("Announcement"), text)}


async def handle(conn: asyncpg.Connection, payload: dict[str, Any], *, now: datetime) -> dict[str, Any] | None:
    """The answer to an interaction payload (None: an empty 200)."""
    if payload.get("type") != "view_submission":
        return None
    callback = (payload.get("view") or {}).get("callback_id")
    if callback not in (COMPOSE, CONFIRM):
        return None
    user = payload.get("user") or {}
    team = str((payload.get("team") or {}).get("id") or user.get("team_id") or "")
    principal = await linked_organiser(conn, team, str(user.get("id", "")))
    if principal is None:
        return {"response_action": "update", "view": notice_view("Møteplass", refusal("nb"))}
    if callback == COMPOSE:
        return await _compose(conn, payload, principal, now)
    return await _confirm(conn, payload, principal, now)
