"""Attendee links: ticket codes (in the QR) and manage links, signed over the registration id.

Nothing secret is stored: a code is the registration's random UUID plus a 128-bit HMAC tag keyed with
SECRET_KEY and the registration's link_version, so bumping link_version revokes every old link at once. During a
key rotation (SECRET_KEYS=new,old) codes are signed with the new key and those signed with an old one still pass.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from integrations import qr

from ..settings import Settings
from .schemas import Registration

TICKET = "ticket"
MANAGE = "manage"
AGENDA = "agenda"


class Linked(Protocol):
    """Anything that names a registration and its link version (a Registration, a badge's row)."""

    @property
    def id(self) -> UUID: ...

    @property
    def link_version(self) -> int: ...


def ticket_code(settings: Settings, registration: Linked) -> str:
    return qr.sign(settings.require_secret_key(), TICKET, registration.id, registration.link_version)


def manage_code(settings: Settings, registration: Registration) -> str:
    return qr.sign(settings.require_secret_key(), MANAGE, registration.id, registration.link_version)


def ticket_url(settings: Settings, registration: Registration) -> str | None:
    if registration.status != "confirmed":
        return None
    return f"{settings.base_url}/t/{ticket_code(settings, registration)}"


def manage_url(settings: Settings, registration: Registration) -> str:
    return f"{settings.base_url}/r/{manage_code(settings, registration)}"


def agenda_url(settings: Settings, registration: Registration) -> str:
    """The attendee's personal calendar feed (event and chosen sessions), subscribable as webcal."""
    code = qr.sign(settings.require_secret_key(), AGENDA, registration.id, registration.link_version)
    return f"{settings.base_url}/agenda/{code}.ics"


def new_link_url(settings: Settings, event_slug: str) -> str:
    """The page where an attendee asks for new links by e-mail (revoking the old ones)."""
    return f"{settings.base_url}/events/{event_slug}/new-link"


def in_language(url: str, language: str) -> str:
    """A link for a mail: the page it opens answers in the language the person chose (until they switch)."""
    return f"{url}{'&' if '?' in url else '?'}lang={language}"


def mail_links(settings: Settings, registration: Registration, event_slug: str) -> dict[str, str | None]:
    """The ticket, manage and new-link addresses a mail about this registration shows, in its language."""
    ticket = ticket_url(settings, registration)
    language = registration.language
    return {
        "ticket_url": in_language(ticket, language) if ticket else None,
        "manage_url": in_language(manage_url(settings, registration), language),
        "new_link_url": in_language(new_link_url(settings, event_slug), language),
    }


def parse(settings: Settings, purpose: str, code: str) -> UUID | None:
    return qr.parse(settings.require_secret_key(), purpose, code)


def check(settings: Settings, purpose: str, registration: Registration, code: str) -> bool:
    return qr.check(settings.verification_keys(), purpose, registration.id, registration.link_version, code)
