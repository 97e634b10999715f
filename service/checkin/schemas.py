"""The check-in API's types: doors (organiser side), pairing, scans and their answers (door side)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from ..types import AwareDatetime, Email, Line80, Line200, OptLine200

Result = Literal[
    "admitted", "already_checked_in", "cancelled", "waitlisted", "wrong_event", "not_registered", "invalid"
]
DoorState = Literal["unpaired", "paired", "revoked", "expired"]
Nonce = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
ScannedText = Annotated[str, Meta(max_length=200, description="the text read from the QR code, as scanned")]
SearchText = Annotated[str, Meta(min_length=3, max_length=80)]


class DoorIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Line80


class Door(msgspec.Struct, kw_only=True):
    """A door as the organiser sees it. `pairing_url` is there until the door is paired (one use)."""

    id: UUID
    name: str
    state: DoorState
    created_at: datetime
    paired_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime
    pairing_url: str | None
    scans: int
    admitted: int


class PairIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: Annotated[str, Meta(min_length=1, max_length=200)]


class DoorInfo(msgspec.Struct, kw_only=True):
    id: UUID
    name: str


class EventInfo(msgspec.Struct, kw_only=True):
    slug: str
    title: dict[str, str]
    venue: str
    starts_at: datetime
    ends_at: datetime
    allow_walk_ins: bool = False  # the door shows its walk-in form (online only)


class Paired(msgspec.Struct, kw_only=True):
    """Answer to pairing: the door's bearer token (shown once) and what it is for."""

    token: str
    expires_at: datetime
    door: DoorInfo
    event: EventInfo


class CheckinIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A scan: the code read from a ticket, or (from a name search) a registration id; never both."""

    nonce: Nonce
    code: ScannedText | None = None
    registration_id: UUID | None = None
    scanned_at: AwareDatetime | None = None
    offline: bool = False


class WalkInIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A person registered and admitted at the door in one step. `nonce` (chosen by the door) makes a retried
    request one walk-in."""

    nonce: Nonce
    name: Line200
    organisation: OptLine200 = ""
    email: Email | None = None


class Attendee(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Who the ticket belongs to, as the door shows it: at a workshop, also the group they are placed in."""

    name: str
    organisation: str = ""
    group: dict[str, str] | None = None  # the group's name in nb/nn/en


class Admission(msgspec.Struct, kw_only=True):
    at: datetime
    door: str


class CheckinAnswer(msgspec.Struct, kw_only=True):
    """`admission` is the first valid scan (this one when `admitted`); `attendee` is null for codes that are
    not this event's tickets."""

    result: Result
    scan_id: int
    scanned_at: datetime
    attendee: Attendee | None
    admission: Admission | None


class Counts(msgspec.Struct, kw_only=True):
    checked_in: int
    expected: int


class RecentScan(msgspec.Struct, kw_only=True):
    """One of the door's last scans. `duplicate`: the door admitted it (offline) but another scan was first."""

    scan_id: int
    result: Result
    scanned_at: datetime
    offline: bool
    duplicate: bool
    attendee: Attendee | None
    admission: Admission | None


class DoorStatus(msgspec.Struct, kw_only=True):
    door: DoorInfo
    event: EventInfo
    counts: Counts
    recent: list[RecentScan]


class SearchHit(msgspec.Struct, kw_only=True):
    """A confirmed attendee found by the door's name search."""

    registration_id: UUID
    attendee: Attendee
    admission: Admission | None


class OfflineEntry(msgspec.Struct, array_like=True):
    """[lookup, sealed]: lookup = base64 SHA-256 of "moteplass-lookup:" + code; sealed = base64 of the
    attendee JSON XORed with a SHA-256 keystream keyed by the code (see offline.py)."""

    lookup: str
    sealed: str


class OfflineData(msgspec.Struct, kw_only=True):
    """What a door needs to decide scans while the network is down, readable only with a ticket in hand."""

    generated_at: datetime
    salt: str
    entries: list[OfflineEntry]
