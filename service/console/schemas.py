"""Inputs of the console's forms (checked with msgspec like the API's bodies) and the rows it lists."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from ..accounts.schemas import Role
from ..types import Email, OptLine200

InviteRole = Literal["organiser", "jury", "admin"]
INVITE_ROLES: tuple[InviteRole, ...] = ("organiser", "jury", "admin")
SortKey = Literal["created", "-created", "name", "-name"]
SORT_KEYS: tuple[SortKey, ...] = ("created", "-created", "name", "-name")


class InviteIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email
    role: InviteRole
    name: OptLine200 = ""
    language: Literal["nb", "nn", "en"] = "nb"
    events: list[UUID] = []


class ConsoleUser(msgspec.Struct, kw_only=True):
    id: UUID
    email: str
    name: str
    role: str
    language: str
    has_password: bool
    invited_at: datetime | None
    events: list[str]
    disabled_at: datetime | None = None


class RegistrationFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What the organiser's table shows: the same filter drives the page and the exports."""

    q: str = ""
    status: Literal["confirmed", "waitlisted", "cancelled"] | None = None
    role: str | None = None
    session: UUID | None = None  # those who chose this session (with a place or waiting)
    group: UUID | None = None  # those placed in this workshop group
    checked_in: bool | None = None  # admitted at a door (True), or not (False)
    sort: SortKey = "created"


class ListedRegistration(msgspec.Struct, kw_only=True):
    id: UUID
    status: str
    waitlist_position: int | None
    name: str
    email: str | None
    organisation: str
    role: str | None
    dietary: str
    accessibility: str
    language: str
    answers: dict[str, object]
    queue_seq: int
    created_at: datetime
    sort_name: str
    checked_in_at: datetime | None = None
    checked_in_door: str | None = None
    source: str = "web"


class DashboardEvent(msgspec.Struct, kw_only=True):
    id: UUID
    slug: str
    title: dict[str, str]
    status: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    registration_paused: bool
    confirmed: int
    waitlisted: int
    cancelled_this_week: int


class AuditEntry(msgspec.Struct, kw_only=True):
    at: datetime
    actor: str
    action: str
    subject: str
    data: dict[str, object]


class MailSent(msgspec.Struct, frozen=True, kw_only=True):
    """A mail to one registration as its console page lists it: sent (kept with the registration, with its
    subject), or a job waiting or failed."""

    kind: str
    subject: str
    created_at: datetime
    done_at: datetime | None
    dead_at: datetime | None
    attempts: int
    last_error: str | None


class SignInUser(msgspec.Struct, frozen=True, kw_only=True):
    """An active user as signing in sees them: `hash` is None until they set a console password."""

    id: UUID
    email: str
    role: Role
    language: str
    hash: str | None


class SessionUser(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    email: str
    role: Role
    language: str


class PasswordLink(msgspec.Struct, frozen=True, kw_only=True):
    """An invitation or reset link with its (active) user."""

    id: UUID
    user_id: UUID
    purpose: str
    expires_at: datetime
    used_at: datetime | None
    email: str
    name: str
    role: Role
    language: str
