from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ..types import AwareDatetime, LocalizedLine, LocalizedText, OptLine200, Slug

EventKind = Literal["conference", "workshop"]
EventStatus = Literal["draft", "published", "cancelled"]
Capacity = Annotated[int, Meta(ge=0, le=100_000)]
# Days after the event before its attendees' personal data goes; None: the RETENTION_DAYS setting.
RetentionDays = Annotated[int, Meta(ge=1, le=3650)]


class EventIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    slug: Slug
    kind: EventKind
    title: LocalizedLine
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: Capacity
    description: LocalizedText | None = None
    venue: OptLine200 = ""
    address: OptLine200 = ""
    registration_opens_at: AwareDatetime | None = None
    registration_closes_at: AwareDatetime | None = None
    status: Literal["draft", "published"] = "draft"
    series: Slug | None = None
    organiser_name: OptLine200 = ""
    retention_days: RetentionDays | None = None
    allow_walk_ins: bool = False


class EventPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: LocalizedLine | UnsetType = UNSET
    description: LocalizedText | UnsetType = UNSET
    venue: OptLine200 | UnsetType = UNSET
    address: OptLine200 | UnsetType = UNSET
    starts_at: AwareDatetime | UnsetType = UNSET
    ends_at: AwareDatetime | UnsetType = UNSET
    capacity: Capacity | UnsetType = UNSET
    registration_opens_at: AwareDatetime | UnsetType | None = UNSET
    registration_closes_at: AwareDatetime | UnsetType | None = UNSET
    registration_paused: bool | UnsetType = UNSET
    status: EventStatus | UnsetType = UNSET
    series: Slug | UnsetType | None = UNSET
    organiser_name: OptLine200 | UnsetType = UNSET
    retention_days: RetentionDays | UnsetType | None = UNSET
    allow_walk_ins: bool | UnsetType = UNSET


class Event(msgspec.Struct, kw_only=True):
    """An event as stored, with live counts."""

    id: UUID
    slug: str
    kind: EventKind
    title: dict[str, str]
    description: dict[str, str]
    venue: str
    address: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    registration_paused: bool
    status: EventStatus
    series: str | None
    organiser_name: str
    retention_days: int | None = None
    allow_walk_ins: bool = False  # the event's doors may register and admit people on the spot
    confirmed: int = 0
    waitlisted: int = 0

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.confirmed, 0)

    def registration_state(self, now: datetime) -> str:
        """open | not_open_yet | closed | paused | cancelled | draft | over."""
        if self.status == "cancelled":
            return "cancelled"
        if self.status == "draft":
            return "draft"
        if now >= self.ends_at:
            return "over"
        if self.registration_paused:
            return "paused"
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_open_yet"
        if self.registration_closes_at and now >= self.registration_closes_at:
            return "closed"
        return "open"


class EventOut(msgspec.Struct, kw_only=True):
    id: UUID
    slug: str
    kind: EventKind
    title: dict[str, str]
    description: dict[str, str]
    venue: str
    address: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    confirmed: int
    waitlisted: int
    remaining: int
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    registration: str
    status: EventStatus
    series: str | None
    organiser_name: str
    url: str
    retention_days: int | None = None
    allow_walk_ins: bool = False

    @classmethod
    def of(cls, event: Event, *, now: datetime, base_url: str) -> EventOut:
        return cls(
            id=event.id,
            slug=event.slug,
            kind=event.kind,
            title=event.title,
            description=event.description,
            venue=event.venue,
            address=event.address,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            capacity=event.capacity,
            confirmed=event.confirmed,
            waitlisted=event.waitlisted,
            remaining=event.remaining,
            registration_opens_at=event.registration_opens_at,
            registration_closes_at=event.registration_closes_at,
            registration=event.registration_state(now),
            status=event.status,
            series=event.series,
            organiser_name=event.organiser_name,
            url=f"{base_url}/events/{event.slug}",
            retention_days=event.retention_days,
            allow_walk_ins=event.allow_walk_ins,
        )
