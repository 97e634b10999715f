"""What the privacy domain answers: everything held about one registration or one person, and what an
erasure removed and left. None of it carries a link that opens a record (manage, ticket, agenda)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]


class EventRef(msgspec.Struct, kw_only=True):
    slug: str
    title: dict[str, str]
    starts_at: datetime
    ends_at: datetime


class Answer(msgspec.Struct, kw_only=True):
    question: dict[str, str]
    answer: Any


class SessionChoice(msgspec.Struct, kw_only=True):
    title: dict[str, str]
    starts_at: datetime
    status: str
    chosen_at: datetime


class GroupRank(msgspec.Struct, kw_only=True):
    rank: int
    group: dict[str, str]


class Placement(msgspec.Struct, kw_only=True):
    group: dict[str, str]
    your_rank_of_it: int | None
    placed_by: str
    placed_at: datetime


class Scan(msgspec.Struct, kw_only=True):
    scanned_at: datetime
    result: str
    door: str
    via: str
    offline: bool
    admitted: bool


class SentMail(msgspec.Struct, kw_only=True):
    kind: str
    subject: str
    queued_at: datetime
    sent_at: datetime | None
    state: str


class ReceivedAnnouncement(msgspec.Struct, kw_only=True):
    subject: dict[str, str]
    state: str
    at: datetime | None


class CalendarInvite(msgspec.Struct, kw_only=True):
    summary: str
    state: str
    sent_at: datetime | None


class HistoryItem(msgspec.Struct, kw_only=True):
    at: datetime
    actor: str
    action: str
    data: dict[str, Any]


class SurveyParticipation(msgspec.Struct, kw_only=True):
    """Whether the evaluation survey went to the person, was reminded, and was answered: never the answers,
    which are stored without any link to anyone (service/surveys)."""

    sent_at: datetime | None
    reminded_at: datetime | None
    answered: bool


class RegistrationRecord(msgspec.Struct, kw_only=True):
    """One registration and everything hanging off it."""

    id: UUID
    event: EventRef
    status: str
    name: str
    email: str | None
    organisation: str
    role: str | None
    dietary: str
    accessibility: str
    language: str
    answers: list[Answer]
    privacy_accepted_at: datetime | None  # None: registered by an organiser or at a door
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    history: list[HistoryItem]
    sessions: list[SessionChoice]
    group_ranking: list[GroupRank]
    group_placement: Placement | None
    check_ins: list[Scan]
    mails: list[SentMail]
    announcements: list[ReceivedAnnouncement]
    calendar_invites: list[CalendarInvite]
    # The organisers' note about the person (shown nowhere else to them, but it is their data), and how the
    # registration came in (web, organiser, public, door, demo).
    note: str = ""
    source: str = "web"
    survey: SurveyParticipation | None = None


class NominationRecord(msgspec.Struct, kw_only=True):
    """A nomination the person made (`nominator`) or that names them (`nominee`)."""

    id: UUID
    as_: str = msgspec.field(name="as")
    prize: dict[str, str]
    year: int
    status: str
    nominee_name: str
    nominee_organisation: str
    nominee_email: str
    title: str
    justification: str
    nominator_name: str
    nominator_email: str
    nominator_relation: str
    created_at: datetime


class ConsoleAccount(msgspec.Struct, kw_only=True):
    email: str
    name: str
    role: str
    created_at: datetime
    disabled_at: datetime | None


class PersonRecords(msgspec.Struct, kw_only=True):
    """Everything held about one e-mail address, across every event."""

    email: str
    registrations: list[RegistrationRecord]
    nominations: list[NominationRecord]
    console_account: ConsoleAccount | None
    sign_in_failures: int
    looked_up_at: datetime


class EraseIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email
    confirm: bool


class Erasure(msgspec.Struct, kw_only=True):
    """What an erasure removed, and what remains (and why)."""

    email: str
    removed: dict[str, int]
    remains: list[str]
    erased_at: datetime
