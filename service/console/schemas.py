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
