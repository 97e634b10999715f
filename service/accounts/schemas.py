from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

Role = Literal["admin", "organiser", "jury", "door"]
ROLES: tuple[Role, ...] = ("admin", "organiser", "jury", "door")


class Principal(msgspec.Struct, frozen=True):
    """Who is calling: a signed-in user with a role, scoped to some events unless admin."""

    user_id: UUID
    email: str
    role: Role
    language: str = "nb"

    @property
    def actor(self) -> str:
        return f"user:{self.email}"


class NewUser(msgspec.Struct, frozen=True):
    user_id: UUID
    email: str
    role: Role
    token: str


class User(msgspec.Struct, frozen=True, kw_only=True):
    """A user as stored (without the password or tokens)."""

    id: UUID
    email: str
    name: str
    role: Role
    language: str
    disabled_at: datetime | None


class TokenOwner(msgspec.Struct, frozen=True, kw_only=True):
    """The user of an API token, with what decides whether the token still works."""

    id: UUID
    email: str
    role: Role
    language: str
    disabled_at: datetime | None
    expires_at: datetime
