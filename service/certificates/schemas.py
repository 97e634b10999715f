from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class ChosenItem(msgspec.Struct, frozen=True, kw_only=True):
    """A programme item the attendee chose and kept (a confirmed choice of a session that was held)."""

    title: dict[str, str]
    starts_at: datetime
    ends_at: datetime


class Attendee(msgspec.Struct, frozen=True, kw_only=True):
    """A checked-in person as their certificate needs them; `email` is None when they were added without one."""

    id: UUID
    name: str
    email: str | None
    language: str
    items: list[ChosenItem] = []


class MailedOut(msgspec.Struct, frozen=True, kw_only=True):
    """What asking to mail every certificate did: `queued` new mails; `already` people had one queued or sent
    before; `without_email` checked-in people have no address to mail."""

    queued: int
    already: int
    without_email: int
