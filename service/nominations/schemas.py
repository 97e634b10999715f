"""API shapes of prizes, calls, nominations, the jury's scores and the results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from ..types import MULTI_LINE, AwareDatetime, Email, LocalizedLine, LocalizedText, OptLine200, Slug

NomineeKind = Literal["person", "group", "project"]
NominationStatus = Literal["submitted", "withdrawn", "shortlisted", "rejected", "winner"]
Language = Literal["nb", "nn", "en"]

TITLE_MAX = 200
JUSTIFICATION_MIN = 50
JUSTIFICATION_MAX = 5000
RELATION_MAX = 200
COMMENT_MAX = 2000

_ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
Title = Annotated[str, Meta(min_length=1, max_length=TITLE_MAX, pattern=_ONE_LINE)]
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=_ONE_LINE)]
Justification = Annotated[str, Meta(min_length=JUSTIFICATION_MIN, max_length=JUSTIFICATION_MAX, pattern=MULTI_LINE)]
Relation = Annotated[str, Meta(max_length=RELATION_MAX, pattern=_ONE_LINE)]
Link = Annotated[str, Meta(max_length=500, pattern=r"^https?://[^\s<>\"]+$", description="an http(s) address")]
Comment = Annotated[str, Meta(max_length=COMMENT_MAX, pattern=MULTI_LINE)]
Score = Annotated[int, Meta(ge=1, le=5)]
Weight = Annotated[float, Meta(gt=0, le=100)]
Year = Annotated[int, Meta(ge=2000, le=2200)]
Reason = Annotated[str, Meta(max_length=1000, pattern=MULTI_LINE)]


class PrizeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    slug: Slug
    name: LocalizedLine
    description: LocalizedText | None = None


class CriterionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: LocalizedLine
    weight: Weight
    description: LocalizedText | None = None


class CallIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    year: Year
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    scoring_closes_at: AwareDatetime
    criteria: Annotated[list[CriterionIn], Meta(min_length=1, max_length=12)]
    jury: Annotated[list[Email], Meta(max_length=50)] = []
    event: Slug | None = None
    notify_nominees: bool = False


class JuryIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    emails: Annotated[list[Email], Meta(max_length=50)]


class NominationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    nominee_kind: NomineeKind
    nominee_name: Name
    title: Title
    justification: Justification
    nominator_name: Name
    nominator_email: Email
    nominee_organisation: OptLine200 = ""
    nominee_email: Email | None = None
    links: Annotated[list[Link], Meta(max_length=5)] = []
    nominator_relation: Relation = ""
    language: Language = "nb"


class CriterionScoreIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    criterion_id: UUID
    score: Score
    comment: Comment = ""


class ScoresIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    scores: Annotated[list[CriterionScoreIn], Meta(min_length=1, max_length=12)]


class ConflictIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Reason = ""


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    status: Literal["submitted", "shortlisted", "rejected", "winner"]
    reason: Reason = ""


class Criterion(msgspec.Struct, kw_only=True):
    id: UUID
    position: int
    name: dict[str, str]
    description: dict[str, str]
    weight: float


class Call(msgspec.Struct, kw_only=True):
    id: UUID
    prize_id: UUID
    year: int
    event_id: UUID | None
    opens_at: datetime
    closes_at: datetime
    scoring_closes_at: datetime
    notify_nominees: bool
    scoring_locked_at: datetime | None
    published_at: datetime | None

    def state(self, now: datetime) -> Literal["not_open_yet", "open", "closed"]:
        if now < self.opens_at:
            return "not_open_yet"
        return "open" if now < self.closes_at else "closed"


class Prize(msgspec.Struct, kw_only=True):
    id: UUID
    slug: str
    name: dict[str, str]
    description: dict[str, str]


class Winner(msgspec.Struct, kw_only=True):
    year: int
    nominee_name: str
    nominee_organisation: str
    title: str


class CallOut(msgspec.Struct, kw_only=True):
    id: UUID
    year: int
    opens_at: datetime
    closes_at: datetime
    scoring_closes_at: datetime
    state: Literal["not_open_yet", "open", "closed"]
    scoring_locked: bool
    published: bool
    criteria: list[Criterion]
    event: str | None = None
    notify_nominees: bool = False
    jury: list[str] | None = None


class PrizeOut(msgspec.Struct, kw_only=True):
    """A prize as anyone sees it: the current call, its criteria, and the published winners."""

    slug: str
    name: dict[str, str]
    description: dict[str, str]
    current_call: CallOut | None
    winners: list[Winner]


class Nomination(msgspec.Struct, kw_only=True):
    """A nomination as stored (personal data: organisers and the jury only)."""

    id: UUID
    call_id: UUID
    status: NominationStatus
    nominee_kind: NomineeKind
    nominee_name: str
    nominee_organisation: str
    nominee_email: str
    nominee_key: str
    title: str
    justification: str
    links: list[str]
    nominator_name: str
    nominator_email: str
    nominator_relation: str
    language: Language
    decision_reason: str
    created_at: datetime
    withdrawn_at: datetime | None
    group_size: int = 1
    group_position: int = 1


class NominationCreated(msgspec.Struct, kw_only=True):
    id: UUID
    status: NominationStatus
    manage_url: str


class NominationSelf(msgspec.Struct, kw_only=True):
    """What the nominator sees through their link."""

    id: UUID
    status: NominationStatus
    prize: dict[str, str]
    year: int
    closes_at: datetime
    can_withdraw: bool
    nominee_kind: NomineeKind
    nominee_name: str
    nominee_organisation: str
    nominee_email: str
    title: str
    justification: str
    links: list[str]
    nominator_name: str
    nominator_email: str
    nominator_relation: str
    created_at: datetime
    withdrawn_at: datetime | None


class JuryNomination(msgspec.Struct, kw_only=True):
    """A nomination in a juror's workspace, with the juror's own standing on it."""

    nomination: Nomination
    conflict: bool
    submitted: bool


class ScoreOut(msgspec.Struct, kw_only=True):
    criterion_id: UUID
    score: int
    comment: str


class ScoreSheet(msgspec.Struct, kw_only=True):
    juror: str
    weighted: float
    scores: list[ScoreOut]
    scored_at: datetime


class NominationScores(msgspec.Struct, kw_only=True):
    """A juror's own sheet and, once it is submitted, everyone else's."""

    nomination_id: UUID
    locked: bool
    mine: ScoreSheet | None
    others: list[ScoreSheet] | None
    recusals: int


class ResultRow(msgspec.Struct, kw_only=True):
    nomination_id: UUID
    status: NominationStatus
    nominee_name: str
    nominee_organisation: str
    title: str
    group_size: int
    weighted_mean: float | None
    scores: int
    spread: float | None
    recusals: int
    rank: int | None
    tied: bool
    normalised_mean: float | None
    normalised_rank: int | None
    normalised_tied: bool
    per_criterion: dict[str, float | None]


class Results(msgspec.Struct, kw_only=True):
    call_id: UUID
    locked: bool
    jurors: int
    rows: list[ResultRow]


class JurorCandidate(msgspec.Struct, frozen=True, kw_only=True):
    """A user named for a jury: only one with the jury role may sit on it."""

    id: UUID
    email: str
    role: str


class Juror(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    email: str
    name: str
    language: str


class JurorBehind(msgspec.Struct, frozen=True, kw_only=True):
    """A juror with how many open nominations they have neither scored nor recused themselves from."""

    id: UUID
    email: str
    name: str
    language: Language
    missing: int


class JurorCall(Call, kw_only=True):
    """A call a juror sits on, with its prize."""

    slug: str
    name: dict[str, str]


class NominationLock(msgspec.Struct, frozen=True, kw_only=True):
    """A nomination locked for a change: only what decides whether the change may happen."""

    id: UUID
    call_id: UUID
    status: str


class JurorScore(msgspec.Struct, frozen=True, kw_only=True):
    """One juror's score on one criterion of a nomination."""

    user_id: UUID
    email: str
    criterion_id: UUID
    score: int
    comment: str
    scored_at: datetime


class CallScore(JurorScore, frozen=True, kw_only=True):
    """A score among all of a call's: with the nomination it is for."""

    nomination_id: UUID


class DeclaredConflict(msgspec.Struct, frozen=True, kw_only=True):
    nomination_id: UUID
    user_id: UUID
