from __future__ import annotations

import msgspec

from ..types import AwareDatetime, Slug


class CopyIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The copy's address and start; everything else moves by the same offset as the start."""

    slug: Slug
    starts_at: AwareDatetime


class Copied(msgspec.Struct, frozen=True, kw_only=True):
    """What a copy took over from its event."""

    sessions: int
    questions: int
    groups: int
    reminders: int
    survey_questions: int
