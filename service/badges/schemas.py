from __future__ import annotations

from uuid import UUID

import msgspec


class BadgeRow(msgspec.Struct, frozen=True, kw_only=True):
    """A confirmed registration as its badge needs it; `group_name` is the workshop group where the person is
    placed (nb/nn/en), when they are."""

    id: UUID
    link_version: int
    name: str
    organisation: str
    role: str | None
    group_name: dict[str, str] | None
