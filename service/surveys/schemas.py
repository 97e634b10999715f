"""Surveys in and out: the questions an organiser asks, when the survey goes out, and the results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from ..types import LocalizedLine

MAX_QUESTIONS = 15
MAX_CHOICES = 12
MIN_ANSWERS = 5  # results are shown from this many answers, so that no one answer stands out
DEFAULT_SEND_AFTER = "PT2H"
REMIND_AFTER_SECONDS = 3 * 86_400
TEXT_ANSWER_MAX = 2000

QuestionKind = Literal["rating", "choice", "choices", "text"]
KINDS: tuple[QuestionKind, ...] = ("rating", "choice", "choices", "text")


class QuestionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A question: a rating 1–5, one of the choices, several of them, or a free text."""

    kind: QuestionKind
    text: LocalizedLine
    choices: Annotated[list[LocalizedLine], Meta(max_length=MAX_CHOICES)] = []


class SurveyIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The whole survey of an event: its questions (1 to 15), how long after the end it goes out (an ISO 8601
    duration, PT0S to P30D), and whether the other dates of the event's series share it."""

    questions: Annotated[list[QuestionIn], Meta(min_length=1)]
    send_after: Annotated[str, Meta(min_length=2, max_length=40)] = DEFAULT_SEND_AFTER
    shared_with_series: bool = False


class Question(msgspec.Struct, kw_only=True):
    id: UUID
    kind: QuestionKind
    text: dict[str, str]
    choices: list[dict[str, str]]


class SurveyEvent(msgspec.Struct, kw_only=True):
    """One event asked by the survey: when the survey goes out for it, how many it went to and answered."""

    slug: str
    title: dict[str, str]
    sends_at: datetime
    sent: int
    answered: int


class Survey(msgspec.Struct, kw_only=True):
    """An event's survey: its questions, when it goes out, and each event that shares it (no id and no
    questions: the event has no survey yet)."""

    id: UUID | None
    questions: list[Question]
    send_after: str
    events: list[SurveyEvent]


class ResponseRate(msgspec.Struct, kw_only=True):
    """How many of those the survey went to answered it (for the event report)."""

    sent: int
    answered: int

    @property
    def rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None
