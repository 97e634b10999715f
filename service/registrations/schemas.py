from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ..privacy.schemas import RegistrationRecord
from ..programme.schemas import Choice, SessionIds
from ..types import MULTI_LINE, Email, GroupKey, Line200, LocalizedLine, OptLine200, Slug

RegistrationStatus = Literal["confirmed", "waitlisted", "cancelled"]
AttendeeRole = Literal["municipal_employee", "researcher", "student", "user_representative", "other"]
ATTENDEE_ROLES: tuple[AttendeeRole, ...] = (
    "municipal_employee",
    "researcher",
    "student",
    "user_representative",
    "other",
)
Language = Literal["nb", "nn", "en"]
# Suggested on the form (free text is allowed): the partners of Kunnskapskommunen and Alrek helseklynge.
PARTNERS: tuple[str, ...] = (
    "Bergen kommune",
    "Universitetet i Bergen",
    "Høgskulen på Vestlandet",
    "Helse Bergen",
    "Haraldsplass Diakonale Sykehus",
    "Folkehelseinstituttet",
    "NORCE Helse",
    "VID vitenskapelige høgskole",
    "Vestland fylkeskommune",
    "Alrek helseklynge",
    "Askøy kommune",
    "Osterøy kommune",
    "Vaksdal kommune",
    "Voss herad",
)
Note = Annotated[str, Meta(max_length=500, pattern=MULTI_LINE)]
Answer = Annotated[str, Meta(max_length=1000, pattern=MULTI_LINE)] | bool
Answers = Annotated[dict[Annotated[str, Meta(max_length=64)], Answer], Meta(max_length=10)]


class RegistrationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Line200
    email: Email
    accept_privacy: bool
    organisation: OptLine200 = ""
    role: AttendeeRole | None = None
    dietary: Note = ""
    accessibility: Note = ""
    language: Language = "nb"
    answers: Answers = {}
    sessions: SessionIds = msgspec.field(default_factory=list)
    # Workshops with perspective groups: group keys, most wanted first (stored by service/workshops).
    perspectives: Annotated[list[GroupKey], Meta(min_length=1, max_length=20)] | None = None


class RegistrationPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Line200 | UnsetType = UNSET
    organisation: OptLine200 | UnsetType = UNSET
    role: AttendeeRole | UnsetType | None = UNSET
    dietary: Note | UnsetType = UNSET
    accessibility: Note | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    answers: Answers | UnsetType = UNSET
    sessions: SessionIds | UnsetType = UNSET


# How a person added by hand came: an organiser typed them in (default), a door registered them on the spot,
# or an organiser typed in what the person sent themselves (a paper form, a phone call): `public`.
HandSource = Literal["organiser", "door", "public"]
# The organisers' note about a person: organisers only, never on the attendee's pages; in their data export.
OrganiserNote = Annotated[str, Meta(max_length=2000, pattern=MULTI_LINE)]


class PersonIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A person added by an organiser. On a full event, `over_capacity: true` confirms them beyond capacity (the
    capacity grows by one) and `waitlist: true` puts them on the waiting list; with neither the answer is 409
    `event_full` and nothing is stored."""

    name: Line200
    email: Email | None = None
    organisation: OptLine200 = ""
    role: AttendeeRole | None = None
    dietary: Note = ""
    accessibility: Note = ""
    language: Language = "nb"
    answers: Answers = {}
    sessions: SessionIds = msgspec.field(default_factory=list)
    note: OrganiserNote = ""
    source: HandSource = "organiser"
    over_capacity: bool = False
    waitlist: bool = False


class PersonPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An organiser's change of any field; `email: null` removes the address (no more mail goes to them)."""

    name: Line200 | UnsetType = UNSET
    email: Email | UnsetType | None = UNSET
    organisation: OptLine200 | UnsetType = UNSET
    role: AttendeeRole | UnsetType | None = UNSET
    dietary: Note | UnsetType = UNSET
    accessibility: Note | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    answers: Answers | UnsetType = UNSET
    sessions: SessionIds | UnsetType = UNSET
    note: OrganiserNote | UnsetType = UNSET


class MoveIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Move a person to another event of the same series; full there: as for PersonIn."""

    event: Slug
    over_capacity: bool = False
    waitlist: bool = False


class Registration(msgspec.Struct, kw_only=True):
    """A registration as stored."""

    id: UUID
    event_id: UUID
    status: RegistrationStatus
    name: str
    email: str | None  # None: added by hand or at the door without an address (no mail goes to them)
    organisation: str
    role: str | None
    dietary: str
    accessibility: str
    language: Language
    answers: dict[str, str | bool]
    queue_seq: int
    link_version: int
    source: str
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    waitlist_position: int | None = None
    note: str = ""  # the organisers' note: never on the attendee's own pages, in their data export


class RegistrationCreated(msgspec.Struct, kw_only=True):
    id: UUID
    status: RegistrationStatus
    waitlist_position: int | None
    ticket_url: str | None
    manage_url: str
    sessions: list[Choice] = []


class EventSummary(msgspec.Struct, kw_only=True):
    slug: str
    title: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    venue: str
    address: str


class RegistrationSelf(msgspec.Struct, kw_only=True):
    """What an attendee sees of their own registration (and downloads as their data)."""

    id: UUID
    status: RegistrationStatus
    waitlist_position: int | None
    name: str
    email: str | None
    organisation: str
    role: str | None
    dietary: str
    accessibility: str
    language: Language
    answers: dict[str, str | bool]
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    event: EventSummary
    ticket_url: str | None
    manage_url: str
    agenda_url: str | None = None
    sessions: list[Choice] = []


class DayChange(msgspec.Struct, frozen=True):
    """One day's change to an event's registrations (registered minus cancelled; seats taken minus given up)."""

    day: date
    registered: int
    seated: int


class HistoryEntry(msgspec.Struct):
    at: datetime
    actor: str
    action: str
    data: dict[str, object]


class RegistrationExport(msgspec.Struct, kw_only=True):
    registration: RegistrationSelf
    history: list[HistoryEntry]
    exported_at: datetime
    # Everything else held about the registration: answers with their questions, sessions, group ranking and
    # placement, check-ins, mails, announcements and calendar invites (service/privacy/records.py).
    record: RegistrationRecord


class RegistrationRow(msgspec.Struct, kw_only=True):
    """One line of the organiser's list."""

    id: UUID
    status: RegistrationStatus
    waitlist_position: int | None
    name: str
    email: str | None
    organisation: str
    role: str | None
    dietary: str
    accessibility: str
    language: Language
    answers: dict[str, str | bool]
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None = None  # admitted at a door (the first valid scan)
    checked_in_door: str | None = None
    source: str = "web"  # web, organiser, public (typed in by an organiser), door (a walk-in), demo
    note: str = ""  # the organisers' note


class RegistrationPage(msgspec.Struct, kw_only=True):
    items: list[RegistrationRow]
    total: int
    limit: int
    offset: int
    counts: dict[str, int]
    next: str | None = None  # the cursor of the following page (?after=), None on the last


QuestionKind = Literal["text", "choice", "yes_no"]


class QuestionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: QuestionKind
    label: LocalizedLine
    choices: Annotated[list[LocalizedLine], Meta(max_length=20)] = []
    required: bool = False


class Question(msgspec.Struct, kw_only=True):
    id: UUID
    position: int
    kind: QuestionKind
    label: dict[str, str]
    choices: list[dict[str, str]]
    required: bool


class NewLinkIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Asking for new links by address: the event's slug and the address registered with."""

    event: Slug
    email: Email


class NewLinkRequested(msgspec.Struct, kw_only=True):
    """The same answer whether or not the address is registered: new links, if any, go to that address only."""

    status: Literal["requested"] = "requested"


SortKey = Literal["created", "-created", "name", "-name"]
SORT_KEYS: tuple[SortKey, ...] = ("created", "-created", "name", "-name")


class RegistrationFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What the organiser's table shows: the same filter drives the page and the exports."""

    q: str = ""
    status: Literal["confirmed", "waitlisted", "cancelled"] | None = None
    role: str | None = None
    session: UUID | None = None  # those who chose this session (with a place or waiting)
    group: UUID | None = None  # those placed in this workshop group
    checked_in: bool | None = None  # admitted at a door (True), or not (False)
    sort: SortKey = "created"


class ListedRegistration(msgspec.Struct, kw_only=True):
    id: UUID
    status: str
    waitlist_position: int | None
    name: str
    email: str | None
    organisation: str
    role: str | None
    dietary: str
    accessibility: str
    language: str
    answers: dict[str, object]
    queue_seq: int
    created_at: datetime
    sort_name: str
    checked_in_at: datetime | None = None
    checked_in_door: str | None = None
    source: str = "web"
