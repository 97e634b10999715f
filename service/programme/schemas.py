"""The programme's API types: sessions in and out, speakers, an attendee's choices."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ..types import MULTI_LINE, AwareDatetime, LocalizedLine, LocalizedText, OptLine200

SessionKind = Literal["plenary", "parallel", "break", "social"]
SessionStatus = Literal["scheduled", "cancelled"]
ChoiceStatus = Literal["confirmed", "waitlisted"]
# Sessions an attendee chooses; plenary sessions are everyone's, breaks nobody's calendar item.
CHOOSABLE: tuple[SessionKind, ...] = ("parallel", "social")

_ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
Room = Annotated[
    str,
    Meta(
        max_length=80, pattern=r"^[^\x00-\x1f\x7f;\\]*$", description="a room name on one line, at most 80 characters"
    ),
]
Track = Annotated[str, Meta(max_length=40, pattern=_ONE_LINE)]
Bio = Annotated[str, Meta(max_length=600, pattern=MULTI_LINE)]
SessionCapacity = Annotated[int, Meta(ge=0, le=100_000)]
SessionIds = Annotated[list[UUID], Meta(max_length=40)]


class Speaker(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, Meta(min_length=1, max_length=200, pattern=_ONE_LINE)]
    organisation: OptLine200 = ""
    bio: Bio = ""


Speakers = Annotated[list[Speaker], Meta(max_length=20)]


class SessionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: SessionKind
    title: LocalizedLine
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    abstract: LocalizedText | None = None
    room: Room = ""
    track: Track = ""
    speakers: Speakers = []
    capacity: SessionCapacity | None = None


class SessionPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: SessionKind | UnsetType = UNSET
    title: LocalizedLine | UnsetType = UNSET
    abstract: LocalizedText | UnsetType = UNSET
    starts_at: AwareDatetime | UnsetType = UNSET
    ends_at: AwareDatetime | UnsetType = UNSET
    room: Room | UnsetType = UNSET
    track: Track | UnsetType = UNSET
    speakers: Speakers | UnsetType = UNSET
    capacity: SessionCapacity | UnsetType | None = UNSET


class Session(msgspec.Struct, kw_only=True):
    """A session as stored, with live counts of its choices."""

    id: UUID
    event_id: UUID
    kind: SessionKind
    title: dict[str, str]
    abstract: dict[str, str]
    room: str
    track: str
    starts_at: datetime
    ends_at: datetime
    speakers: list[dict[str, str]]
    capacity: int | None
    status: SessionStatus
    sequence: int
    updated_at: datetime
    confirmed: int = 0
    waitlisted: int = 0

    @property
    def choosable(self) -> bool:
        return self.kind in CHOOSABLE and self.status == "scheduled"

    @property
    def remaining(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)

    def overlaps(self, other: Session) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


class SessionOut(msgspec.Struct, kw_only=True):
    id: UUID
    kind: SessionKind
    title: dict[str, str]
    abstract: dict[str, str]
    room: str
    track: str
    starts_at: datetime
    ends_at: datetime
    speakers: list[dict[str, str]]
    capacity: int | None
    remaining: int | None
    chosen: int
    waitlisted: int
    choosable: bool
    status: SessionStatus

    @classmethod
    def of(cls, session: Session) -> SessionOut:
        return cls(
            id=session.id,
            kind=session.kind,
            title=session.title,
            abstract=session.abstract,
            room=session.room,
            track=session.track,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            speakers=session.speakers,
            capacity=session.capacity,
            remaining=session.remaining,
            chosen=session.confirmed,
            waitlisted=session.waitlisted,
            choosable=session.choosable,
            status=session.status,
        )


class Choice(msgspec.Struct, kw_only=True):
    """One session an attendee chose, and whether they have a place or wait for one."""

    session_id: UUID
    status: ChoiceStatus
    waitlist_position: int | None = None


class ChoicesIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    sessions: SessionIds


class CalendarInvite(msgspec.Struct, frozen=True, kw_only=True):
    """What one attendee's calendar holds of one item (a session, or the event itself when `session_id` is None):
    its UID and SEQUENCE, whether it was sent, and a snapshot of what the last invite said."""

    id: int
    session_id: UUID | None
    uid: str
    sequence: int
    state: str
    sent: dict[str, str] | None


class SentInvite(msgspec.Struct, frozen=True, kw_only=True):
    """A sent invite of a registration about to be erased, with whom it went to."""

    email: str | None  # None when the address was removed after the invite went
    name: str
    language: str
    uid: str
    sequence: int
    sent: dict[str, str] | None


class EndedChoice(msgspec.Struct, frozen=True, kw_only=True):
    session_id: UUID
    status: ChoiceStatus
