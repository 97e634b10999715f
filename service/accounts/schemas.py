from __future__ import annotations

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
