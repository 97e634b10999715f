"""Keeping an attendee's calendar right: compare what their calendar holds (the invites we sent) with what
it should hold, and send a REQUEST for what is new or changed and a CANCEL for what is gone.

One sync per attendee at a time (an advisory lock), inside one transaction: the mails go out first and the
invite rows are updated after, so a worker killed mid-way sends the same invites again (same UID and
SEQUENCE, harmless to calendars) and never records an invite it did not send.

What gets an invite of its own: the event, and each parallel session the attendee has a place in. Plenaries,
breaks and socials are part of the day's programme (the confirmation mail and the personal feed), not invites:
a registration used to bring six mails at once. An iTIP REQUEST holds one UID (RFC 5546 3.2.2: all components
of a REQUEST have the same UID) and a mail one text/calendar part, so each invite is its own mail. The event's
invite does not ride in the confirmation mail: Outlook makes an accepted invite's mail body the calendar entry's
text, and the confirmation holds the manage link, which must not land in an entry that gets shared and synced.
So one registration with one chosen session sends three mails: the confirmation, the event, the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from typing import Any, Literal
from uuid import UUID

import asyncpg
import msgspec

from integrations import calendar
from integrations.calendar import CalendarItem, Person
from integrations.mail import Attachment, CalendarPart, Mail, display_address

from ..events import queries as event_queries
from ..events.schemas import Event
from ..i18n import Language, gettext, pick
from ..mailtemplates import render, when
from ..registrations import links
from ..registrations import queries as registration_queries
from ..registrations.schemas import Registration
from ..settings import Settings
from ..types import OSLO
from . import items, queries
from .schemas import CalendarInvite

Method = Literal["REQUEST", "CANCEL"]
SUBJECTS = {
    "new": "Invitation: %(summary)s",
    "update": "Changed: %(summary)s",
    "cancel": "Cancelled: %(summary)s",
    "removed": "Removed from your calendar: %(summary)s",
}


@dataclass(frozen=True)
class Outgoing:
    """One invite to send and the invite row's state after it."""

    invite_id: int
    key: UUID | None  # the session, or None for the event itself
    method: Method
    kind: str  # new | update | cancel | removed
    item: CalendarItem
    changes: list[tuple[str, str, str]]  # (what, before, after)


def _changes(before: Mapping[str, str], item: CalendarItem, language: Any) -> list[tuple[str, str, str]]:
    after = items.snapshot(item)
    changed: list[tuple[str, str, str]] = []
    if (before.get("starts_at"), before.get("ends_at")) != (after["starts_at"], after["ends_at"]):
        old = f"{when(datetime.fromisoformat(before['starts_at']), language)}–{_hhmm(before['ends_at'])}"
        new = f"{when(item.starts_at, language)}–{_hhmm(after['ends_at'])}"
        changed.append((gettext(language, "Time"), old, new))
    if before.get("location") != after["location"]:
        changed.append((gettext(language, "Place"), before.get("location", ""), after["location"]))
    if before.get("summary") != after["summary"]:
        changed.append((gettext(language, "Title"), before.get("summary", ""), after["summary"]))
    return changed


def _hhmm(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(OSLO).strftime("%H:%M")


async def _wanted(
    conn: asyncpg.Connection,
    settings: Settings,
    registration: Registration,
    event: Event,
    sent_before: set[UUID | None],
) -> dict[UUID | None, CalendarItem]:
    """Items the attendee's calendar should hold (uid and sequence filled in later). `sent_before`: sessions
    whose invite the calendar holds from before plenaries and socials left the invites; those stay updated."""
    language = registration.language
    if registration.status != "confirmed" and event.status != "cancelled":
        return {}
    # The ticket link, never the manage link: calendar entries get shared, forwarded and synced to other apps.
    ticket_url = links.mail_links(settings, registration, event.slug)["ticket_url"]
    extra = f"{gettext(language, 'Your ticket (show it at the entrance):')} {ticket_url}" if ticket_url else ""
    wanted: dict[UUID | None, CalendarItem] = {
        None: items.event_item(settings, event, language, uid="", sequence=0, extra=extra)
    }
    chosen = {c.session_id for c in await queries.choices_of(conn, registration.id) if c.status == "confirmed"}
    for session in await queries.sessions_of_event(conn, event.id):
        invited = session.kind == "parallel" and session.id in chosen
        kept = session.id in sent_before and (session.kind == "plenary" or session.id in chosen)
        if invited or kept:
            wanted[session.id] = items.session_item(settings, event, session, language, uid="", sequence=0)
    return wanted


async def day_programme(
    conn: asyncpg.Connection, registration: Registration, language: Language
) -> list[tuple[datetime, datetime, str, str]]:
    """The attendee's day as the confirmation mail lists it: plenaries, breaks, socials and the sessions they
    have a place in, (starts_at, ends_at, title, room) in programme order; cancelled sessions left out."""
    chosen = {c.session_id for c in await queries.choices_of(conn, registration.id) if c.status == "confirmed"}
    return [
        (s.starts_at, s.ends_at, pick(s.title, language), s.room)
        for s in await queries.sessions_of_event(conn, registration.event_id)
        if s.status != "cancelled" and (s.kind in ("plenary", "break", "social") or s.id in chosen)
    ]


def plan(
    rows: Mapping[UUID | None, CalendarInvite], wanted: Mapping[UUID | None, CalendarItem], language: Any
) -> list[Outgoing]:
    """What to send: pure, so the rules can be read (and tested) in one place."""
    outgoing: list[Outgoing] = []
    for key, row in rows.items():
        item = wanted.get(key)
        sent = row.state == "sent"
        if item is None or item.cancelled:
            if sent:
                base = item or _from_snapshot(row.uid, row.sequence, row.sent)
                cancelled = item is not None and item.cancelled
                outgoing.append(
                    Outgoing(row.id, key, "CANCEL", "cancel" if cancelled else "removed", _with(base, row, +1), [])
                )
            continue
        if not sent:
            sequence = 0 if row.state == "new" else row.sequence + 1
            outgoing.append(Outgoing(row.id, key, "REQUEST", "new", _with(item, row, sequence - row.sequence), []))
            continue
        changes = _changes(row.sent or {}, item, language)
        if changes:
            outgoing.append(Outgoing(row.id, key, "REQUEST", "update", _with(item, row, +1), changes))
    return outgoing


def _with(item: CalendarItem, row: CalendarInvite, step: int) -> CalendarItem:
    return msgspec.structs.replace(item, uid=row.uid, sequence=row.sequence + step)


def _from_snapshot(uid: str, sequence: int, sent: Mapping[str, str] | None) -> CalendarItem:
    sent = sent or {}
    return CalendarItem(
        uid=uid,
        sequence=sequence,
        summary=sent.get("summary", ""),
        starts_at=datetime.fromisoformat(sent["starts_at"]),
        ends_at=datetime.fromisoformat(sent["ends_at"]),
        location=sent.get("location", ""),
    )


async def sync_registration(
    conn: asyncpg.Connection,
    settings: Settings,
    registration_id: UUID,
    *,
    now: datetime,
    send: Any,
) -> list[Outgoing]:
    """Bring one attendee's calendar in line; `send(Mail)` delivers. Returns what was sent. Idempotent."""
    async with conn.transaction():
        await queries.lock_sync(conn, registration_id)
        registration = await registration_queries.registration_by_id(conn, registration_id)
        if registration is None or registration.email is None:  # erased, or no address to send invites to
            return []
        event = await event_queries.event_by_id(conn, registration.event_id)
        assert event is not None
        rows = {r.session_id: r for r in await queries.invites_of(conn, registration_id)}
        sent_before = {key for key, row in rows.items() if row.state == "sent"}
        wanted = await _wanted(conn, settings, registration, event, sent_before)
        for key, item in wanted.items():
            if key not in rows and not item.cancelled:
                uid = items.personal_uid(settings, registration_id, key)
                rows[key] = await queries.add_invite(conn, registration_id, key, uid)
        # The event's invite first, then the sessions'.
        outgoing = sorted(plan(rows, wanted, registration.language), key=lambda m: m.key is not None)
        organizer = _organizer(settings, event)
        for message in outgoing:
            await send(_mail(settings, registration, event, organizer, message, now))
            state = "sent" if message.method == "REQUEST" else "cancelled"
            snapshot = items.snapshot(message.item) if message.method == "REQUEST" else rows[message.key].sent
            await queries.mark_sent(conn, message.invite_id, message.item.sequence, state, snapshot, now)
    return outgoing


def _organizer(settings: Settings, event: Event) -> Person:
    name, address = parseaddr(settings.mail_from)
    return Person(address, event.organiser_name or name)


def _mail(
    settings: Settings, registration: Registration, event: Event, organizer: Person, message: Outgoing, now: datetime
) -> Mail:
    assert registration.email is not None  # sync_registration sends nothing to a registration without one
    return invite_mail(
        settings,
        attendee=Person(registration.email, registration.name),
        language=registration.language,
        organizer=organizer,
        message=message,
        now=now,
        ticket_url=links.mail_links(settings, registration, event.slug)["ticket_url"],
        agenda_url=links.agenda_url(settings, registration),
    )


def invite_mail(
    settings: Settings,
    *,
    attendee: Person,
    language: Language,
    organizer: Person,
    message: Outgoing,
    now: datetime,
    ticket_url: str | None = None,
    agenda_url: str | None = None,
) -> Mail:
    """The iMIP mail of one invite: text and HTML in the attendee's language, the text/calendar alternative
    and an invite.ics attachment (CAL-6); the Message-ID is the same for the same UID, SEQUENCE and METHOD.
    It links the ticket, not the manage page: calendar apps copy an invite's text into the shared entry."""
    body = calendar.invite(
        message.method, message.item, organizer=organizer, attendee=attendee, stamp=now, language=language
    )
    subject = gettext(language, SUBJECTS[message.kind]) % {"summary": message.item.summary}
    text, html = render(
        "invite",
        language,
        title=subject,
        attendee_name=attendee.name,
        item=message.item,
        kind=message.kind,
        changes=message.changes,
        ticket_url=ticket_url,
        agenda_url=agenda_url,
    )
    local = message.item.uid.split("@", 1)[0]
    return Mail(
        to=display_address(attendee.name, attendee.email),
        subject=subject,
        text=text,
        html=html,
        calendar=CalendarPart(content=body, method=message.method),
        attachments=(Attachment("invite.ics", body, f"text/calendar; charset=utf-8; method={message.method}"),),
        message_id=f"<{local}.{message.item.sequence}.{message.method.lower()}@{items.uid_domain(settings)}>",
        language=language,
    )


def farewell_mail(
    settings: Settings, *, email: str, name: str, language: Language, invite: dict[str, Any], now: datetime
) -> Mail:
    """The CANCEL of one invite of an erased registration, from what the invite row said last."""
    snapshot = _from_snapshot(invite["uid"], invite["sequence"], invite["sent"])
    item = msgspec.structs.replace(snapshot, sequence=invite["sequence"] + 1)
    name_, address = parseaddr(settings.mail_from)
    message = Outgoing(0, None, "CANCEL", "removed", item, [])
    return invite_mail(
        settings,
        attendee=Person(email, name),
        language=language,
        organizer=Person(address, name_),
        message=message,
        now=now,
    )
