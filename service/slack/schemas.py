"""What the Slack app reads from the database: one Struct per result shape of service/slack/queries.py."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from ..accounts.schemas import Role
from ..i18n import Language


class SlackUser(msgspec.Struct, frozen=True, kw_only=True):
    """The Møteplass user a Slack user is (linked, or found by e-mail), whatever their role."""

    id: UUID
    email: str
    role: Role
    language: str


class UpcomingEvent(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    slug: str
    title: dict[str, str]
    starts_at: datetime


class RegistrationCounts(msgspec.Struct, frozen=True, kw_only=True):
    capacity: int
    confirmed: int
    waitlisted: int
    cancelled_today: int


class NearlyFullSession(msgspec.Struct, frozen=True, kw_only=True):
    title: dict[str, str]
    capacity: int
    chosen: int


class WatchState(msgspec.Struct, frozen=True, kw_only=True):
    """An event's channel with what the watcher reported last, and the event's counts now."""

    channel_id: str
    language: Language  # what Møteplass writes in the channel
    seen_confirmed: int
    seen_waitlisted: int
    seen_cancelled: int
    milestones: list[str]
    seen_dead_job: int
    seen_nomination: int
    slug: str
    title: dict[str, str]
    capacity: int
    ends_at: datetime
    status: str
    confirmed: int
    waitlisted: int
    cancelled: int


class DeadJob(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: str
    last_error: str | None


class NewNominations(msgspec.Struct, frozen=True, kw_only=True):
    """Nominations to one prize newer than the last reported: how many, and the number of the newest."""

    prize: dict[str, str]
    n: int
    last: int


class EventChannel(msgspec.Struct, frozen=True, kw_only=True):
    channel_id: str
    language: Language
    slug: str
