"""What a calendar shows of an event or a session, for the public feed, a personal feed and invites."""

from __future__ import annotations

from urllib.parse import urlsplit
from uuid import UUID, uuid5

from integrations.calendar import CalendarItem

from ..events.schemas import Event
from ..i18n import Language, gettext, pick
from ..settings import Settings
from .schemas import Session

_UID_NAMESPACE = UUID("6f1d3c1e-8a55-4c1b-9d0e-2b7f6c0a9e41")
_DESCRIPTION_LIMIT = 1500


def uid_domain(settings: Settings) -> str:
    return urlsplit(settings.base_url).hostname or "moteplass"


def personal_uid(settings: Settings, registration_id: UUID, session_id: UUID | None) -> str:
    """An attendee's UID for the event or one session: derived once, stored with the invite, never changed."""
    key = uuid5(_UID_NAMESPACE, f"{registration_id}/{session_id or 'event'}")
    return f"{key}@{uid_domain(settings)}"


def public_uid(settings: Settings, event: Event, session: Session | None) -> str:
    subject = f"session-{session.id}" if session else f"event-{event.id}"
    return f"{subject}@{uid_domain(settings)}"


def event_location(event: Event) -> str:
    return ", ".join(part for part in (event.venue, event.address) if part)


def session_location(session: Session, event: Event) -> str:
    return ", ".join(part for part in (session.room, event.venue, event.address) if part)


def event_url(settings: Settings, event: Event, language: Language) -> str:
    """The event page in the calendar text's language (the page keeps it until the person switches)."""
    return f"{settings.base_url}/events/{event.slug}?lang={language}"


def programme_url(settings: Settings, event: Event, language: Language, session: Session | None = None) -> str:
    anchor = f"#session-{session.id}" if session else ""
    return f"{settings.base_url}/events/{event.slug}/programme?lang={language}{anchor}"


def _clip(text: str) -> str:
    return text if len(text) <= _DESCRIPTION_LIMIT else text[: _DESCRIPTION_LIMIT - 1].rstrip() + "…"


def event_item(
    settings: Settings, event: Event, language: Language, *, uid: str, sequence: int, extra: str = ""
) -> CalendarItem:
    description = "\n\n".join(part for part in (_clip(pick(event.description, language)), extra) if part)
    return CalendarItem(
        uid=uid,
        sequence=sequence,
        summary=pick(event.title, language),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=event_location(event),
        description=description,
        url=event_url(settings, event, language),
        cancelled=event.status == "cancelled",
    )


def session_item(
    settings: Settings, event: Event, session: Session, language: Language, *, uid: str, sequence: int
) -> CalendarItem:
    speakers = ", ".join(
        " – ".join(part for part in (s.get("name", ""), s.get("organisation", "")) if part) for s in session.speakers
    )
    lines = [
        _clip(pick(session.abstract, language)),
        f"{gettext(language, 'Speakers')}: {speakers}" if speakers else "",
        f"{gettext(language, 'Part of')}: {pick(event.title, language)}",
    ]
    return CalendarItem(
        uid=uid,
        sequence=sequence,
        summary=pick(session.title, language),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=session_location(session, event),
        description="\n\n".join(line for line in lines if line),
        url=programme_url(settings, event, language, session),
        cancelled=session.status == "cancelled" or event.status == "cancelled",
        modified=session.updated_at,
    )


def snapshot(item: CalendarItem) -> dict[str, str]:
    """What an attendee's calendar holds of an item; a difference here is worth an updated invite."""
    return {
        "summary": item.summary,
        "starts_at": item.starts_at.isoformat(),
        "ends_at": item.ends_at.isoformat(),
        "location": item.location,
    }
