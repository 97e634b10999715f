from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ..registrations.schemas import AttendeeRole, Language, Note, RegistrationStatus
from ..types import Email, GroupKey, Line200, LocalizedLine, LocalizedText, OptLine200, Slug

GroupCapacity = Annotated[int, Meta(ge=1, le=10_000)]
Perspectives = Annotated[list[GroupKey], Meta(min_length=1, max_length=20)]


class GroupIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    key: GroupKey
    name: LocalizedLine
    capacity: GroupCapacity
    perspective: LocalizedText | None = None


class GroupPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: LocalizedLine | UnsetType = UNSET
    perspective: LocalizedText | UnsetType = UNSET
    capacity: GroupCapacity | UnsetType = UNSET


class Group(msgspec.Struct, kw_only=True):
    """A workshop's perspective group, with the number of confirmed participants placed in it."""

    id: UUID
    key: str
    position: int
    name: dict[str, str]
    perspective: dict[str, str]
    capacity: int
    members: int = 0


class GroupBadge(msgspec.Struct, kw_only=True):
    """The group someone is in, as tickets, manage pages and the door show it."""

    id: UUID
    key: str
    name: dict[str, str]
    perspective: dict[str, str]
    published: bool


class PlacementIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An organiser's hand move: into `group` (locked unless told otherwise), or only (un)lock."""

    group: GroupKey | UnsetType = UNSET
    locked: bool | UnsetType = UNSET


class PlacedPerson(msgspec.Struct, kw_only=True):
    """One participant of a workshop: who they are, what they ranked and what they got."""

    registration_id: UUID
    name: str
    email: str | None
    organisation: str
    background: str | None
    accessibility: str
    ranking: list[str]
    group: str | None
    choice: int | None
    locked: bool
    placed_by: str | None


class GroupList(msgspec.Struct, kw_only=True):
    group: Group
    members: list[PlacedPerson]


class Placements(msgspec.Struct, kw_only=True):
    """The placement of a workshop and why: how many got which choice, each group, each person."""

    event: str
    assigned_at: datetime | None
    published_at: datetime | None
    choices: dict[str, int]
    groups: list[GroupList]
    unplaced: list[PlacedPerson]


class Published(msgspec.Struct, kw_only=True):
    published_at: datetime
    mails: int


class RankingIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A participant's ranked perspectives (group keys), most wanted first; replaces the ranking they gave."""

    perspectives: Perspectives


class Ranking(msgspec.Struct, kw_only=True):
    perspectives: list[str]


class SeriesRegistrationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Sign up for several workshops of a series at once (all that are open, or the dates in `events`)."""

    name: Line200
    email: Email
    accept_privacy: bool
    organisation: OptLine200 = ""
    role: AttendeeRole | None = None
    dietary: Note = ""
    accessibility: Note = ""
    language: Language = "nb"
    perspectives: Perspectives | None = None
    events: Annotated[list[Slug], Meta(min_length=1, max_length=20)] | None = None


class DateRegistration(msgspec.Struct, kw_only=True):
    event: str
    id: UUID
    status: RegistrationStatus
    waitlist_position: int | None
    ticket_url: str | None
    manage_url: str


class SeriesRegistrationCreated(msgspec.Struct, kw_only=True):
    series: str
    registrations: list[DateRegistration]
    already_registered: list[str]


class SeriesDate(msgspec.Struct, kw_only=True):
    slug: str
    title: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    remaining: int
    registration: str
    groups: list[Group]


class Series(msgspec.Struct, kw_only=True):
    series: str
    dates: list[SeriesDate]


class SeriesCancelled(msgspec.Struct, kw_only=True):
    cancelled: list[str]


class SeriesOrganisersIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Who may add dates to a series: users with the organiser role, by e-mail address."""

    emails: Annotated[list[Email], Meta(min_length=1, max_length=50)]


class SeriesOrganisers(msgspec.Struct, kw_only=True):
    series: str
    organisers: list[str]


class Participant(msgspec.Struct, frozen=True, kw_only=True):
    """A confirmed participant as the placement reads them: their ranking and their placement, if any."""

    id: UUID
    name: str
    email: str | None
    organisation: str
    role: str | None
    accessibility: str
    ranking: list[UUID]
    group_id: UUID | None
    choice: int | None
    locked: bool | None
    placed_by: str | None


class GroupRound(msgspec.Struct, frozen=True, kw_only=True):
    assigned_at: datetime
    published_at: datetime | None


class GroupSize(msgspec.Struct, frozen=True, kw_only=True):
    name: dict[str, str]
    members: int


class SignupDate(msgspec.Struct, frozen=True, kw_only=True):
    """One active registration of a series sign-up: its date (event slug) and status."""

    id: UUID
    status: str
    slug: str
