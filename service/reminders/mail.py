"""The reminder mail itself, shared by the worker (real attendees) and the console's preview (an example)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from ..events.schemas import Event
from ..i18n import Language, gettext, pick
from ..mailtemplates import render
from .queries import ChosenSession as ChosenSession


@dataclass(frozen=True)
class Recipient:
    name: str
    status: str  # confirmed | waitlisted
    waitlist_position: int | None
    ticket_url: str | None
    manage_url: str
    agenda_url: str | None
    sessions: tuple[ChosenSession, ...] = ()


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_links(event: Event, language: Language) -> dict[str, str]:
    """Add-to-calendar links that carry only what the public event page shows (no personal link goes to a
    calendar provider)."""
    title = pick(event.title, language)
    place = ", ".join(part for part in (event.venue, event.address) if part)
    google = "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": title,
            "dates": f"{_utc(event.starts_at)}/{_utc(event.ends_at)}",
            "location": place,
        }
    )
    outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": title,
            "startdt": event.starts_at.astimezone(UTC).isoformat(),
            "enddt": event.ends_at.astimezone(UTC).isoformat(),
            "location": place,
        }
    )
    return {"google": google, "outlook": outlook}


def map_url(event: Event) -> str | None:
    place = ", ".join(part for part in (event.venue, event.address) if part)
    return "https://www.openstreetmap.org/search?" + urlencode({"query": place}) if place else None


def subject(event: Event, recipient: Recipient, language: Language) -> str:
    return subject_of(event.title, waitlisted=recipient.status == "waitlisted", language=language)


def subject_of(title: dict[str, str], *, waitlisted: bool, language: Language) -> str:
    """The reminder's subject: the ticket version, or the waiting-list one (also named in an attendee's export)."""
    message = "Still on the waiting list: %(event)s" if waitlisted else "Reminder: %(event)s"
    return gettext(language, message) % {"event": pick(title, language)}


def reminder_mail(
    event: Event, recipient: Recipient, language: Language, *, base_url: str, qr_cid: str
) -> tuple[str, str, str]:
    """(subject, text, html) of the reminder for one person: the ticket version, or the waiting-list one."""
    title = subject(event, recipient, language)
    template = "reminder_waitlisted" if recipient.status == "waitlisted" else "reminder"
    text, html = render(
        template,
        language,
        title=title,
        recipient=recipient,
        event=event,
        event_feed_url=f"{base_url}/events/{event.slug}/calendar.ics?lang={language}",
        calendar=calendar_links(event, language),
        map_url=map_url(event),
        qr_cid=qr_cid,
    )
    return title, text, html
