from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from ..i18n import Language
from ..types import MULTI_LINE, AwareDatetime, LocalizedLine

AnnouncementStatus = Literal["draft", "scheduled", "sending", "sent", "cancelled"]
Body = Annotated[str, Meta(min_length=1, max_length=3000, pattern=MULTI_LINE)]
OptBody = Annotated[str, Meta(max_length=3000, pattern=MULTI_LINE)]
AudienceKey = Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[a-z_]+$")]
ChannelId = Annotated[str, Meta(pattern=r"^[CGD][A-Z0-9]{2,30}$", description="a Slack channel id, e.g. C0123ABCD")]


class LocalizedBody(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """The text in bokmål (required), nynorsk and English, in Slack's markdown."""

    nb: Body
    nn: OptBody | None = None
    en: OptBody | None = None


class AnnouncementIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    audience: AudienceKey
    subject: LocalizedLine
    body: LocalizedBody
    audience_ref: Annotated[str, Meta(max_length=80)] | None = None
    send_at: AwareDatetime | None = None


class Announcement(msgspec.Struct, kw_only=True):
    id: UUID
    event_id: UUID
    audience: str
    audience_ref: str | None
    subject: dict[str, str]
    body: dict[str, str]
    status: AnnouncementStatus
    send_at: datetime | None
    actor: str
    report_to: dict[str, str]
    created_at: datetime
    confirmed_at: datetime | None
    sent_at: datetime | None
    recipients: int | None
    mails_sent: int
    mails_failed: int
    mails_skipped: int
    channel_posted: bool | None


class ChannelIn(msgspec.Struct, forbid_unknown_fields=True):
    channel_id: ChannelId
    language: Language = "nb"  # what Møteplass writes in the channel


class ChannelOut(msgspec.Struct):
    event: str
    channel_id: str
    language: Language


class Channel(msgspec.Struct, frozen=True):
    """An event's Slack channel and the language Møteplass writes in there."""

    channel_id: str
    language: Language


class SendingStarted(msgspec.Struct, frozen=True, kw_only=True):
    """An announcement that has just moved to `sending`: whom it goes to."""

    event_id: UUID
    audience: str
    audience_ref: str | None
    report_to: dict[str, str]  # who to report back to (a Slack user), when it was sent from Slack


class MailContext(msgspec.Struct, frozen=True, kw_only=True):
    """One recipient's mail: the announcement, its event, and the registration (None fields once erased)."""

    id: int
    status: str
    announcement_id: UUID
    subject: dict[str, str]
    body: dict[str, str]
    event_id: UUID
    slug: str
    title: dict[str, str]
    registration_id: UUID | None
    name: str | None
    email: str | None
    language: Language | None
    registration_status: str | None
