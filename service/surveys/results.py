"""A survey's results: per question the distribution (ratings and choices), the mean and count of ratings, and
the free texts, for all events together and for each event that shares the survey. Nothing is shown, or
exported, until MIN_ANSWERS have answered; an event's own column needs as many."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

import asyncpg

from .. import audit
from ..errors import InvalidState
from ..i18n import Language, pick
from . import queries
from .queries import Response, SurveyEventRow
from .schemas import MIN_ANSWERS, Question

RATINGS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Column:
    """One group of answers: an event (slug) or all of them together (slug None)."""

    slug: str | None
    title: dict[str, str]
    answers: int
    shown: bool  # MIN_ANSWERS or more


@dataclass
class QuestionResult:
    question: Question
    labels: list[str] = field(default_factory=list)  # the options counted, in order
    counts: dict[str | None, list[int]] = field(default_factory=dict)  # column slug -> count per option
    answered: dict[str | None, int] = field(default_factory=dict)  # column slug -> people who answered it
    means: dict[str | None, float | None] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Results:
    answers: int
    shown: bool
    columns: list[Column]  # the events (when the survey is shared), then all together
    questions: list[QuestionResult]


def _labels(question: Question, language: Language) -> list[str]:
    if question.kind == "rating":
        return [str(n) for n in RATINGS]
    return [pick(choice, language) for choice in question.choices]


def _count(result: QuestionResult, column: str | None, responses: list[Response]) -> None:
    question, key = result.question, str(result.question.id)
    counts = [0] * len(result.labels)
    answered, total = 0, 0
    for response in responses:
        value = response.answers.get(key)
        if value is None:
            continue
        answered += 1
        values = value if isinstance(value, list) else [value]
        for item in values:
            index = item - 1 if question.kind == "rating" else item
            if isinstance(index, int) and 0 <= index < len(counts):
                counts[index] += 1
        if question.kind == "rating":
            total += int(value)
    result.counts[column] = counts
    result.answered[column] = answered
    result.means[column] = round(total / answered, 2) if question.kind == "rating" and answered else None


async def results(
    conn: asyncpg.Connection, survey_id: UUID, language: Language, *, events: list[SurveyEventRow]
) -> Results:
    """The results, or only the count while fewer than MIN_ANSWERS have answered."""
    questions = await queries.questions(conn, survey_id)
    every = await queries.responses(conn, survey_id)
    if len(every) < MIN_ANSWERS:
        return Results(answers=len(every), shown=False, columns=[], questions=[])
    by_event = {row.id: [r for r in every if r.event_id == row.id] for row in events}
    columns = []
    if len(events) > 1:
        columns = [
            Column(row.slug, row.title, len(by_event[row.id]), len(by_event[row.id]) >= MIN_ANSWERS) for row in events
        ]
    columns.append(Column(None, {}, len(every), True))
    found = []
    for question in questions:
        result = QuestionResult(question=question, labels=_labels(question, language))
        if question.kind == "text":
            result.texts = sorted(str(r.answers[str(question.id)]) for r in every if r.answers.get(str(question.id)))
            result.answered[None] = len(result.texts)
        else:
            for row in events if len(events) > 1 else []:
                if len(by_event[row.id]) >= MIN_ANSWERS:
                    _count(result, row.slug, by_event[row.id])
            _count(result, None, every)
        found.append(result)
    return Results(answers=len(every), shown=True, columns=columns, questions=found)


def _cell(question: Question, value: object, language: Language) -> str:
    if value is None:
        return ""
    if question.kind in ("choice", "choices"):
        items = value if isinstance(value, list) else [value]
        return "; ".join(pick(question.choices[i], language) for i in items if isinstance(i, int))
    return str(value)


async def export_lines(
    conn: asyncpg.Connection,
    survey_id: UUID,
    language: Language,
    *,
    events: list[SurveyEventRow],
    event_id: UUID,
    actor: str,
) -> list[list[object]]:
    """The answers as spreadsheet lines (one per person, in no telling order; the date only for dates with
    MIN_ANSWERS of their own), audited as an export.
    Raises InvalidState (too_few_answers) under MIN_ANSWERS."""
    questions = await queries.questions(conn, survey_id)
    every = await queries.responses(conn, survey_id)
    if len(every) < MIN_ANSWERS:
        raise InvalidState("too_few_answers", f"answers are shown from {MIN_ANSWERS}")
    # A date's name only where it has MIN_ANSWERS of its own: a lone answer from a small date stays in the crowd.
    per_event = {row.id: sum(1 for r in every if r.event_id == row.id) for row in events}
    slugs = {row.id: row.slug for row in events if per_event[row.id] >= MIN_ANSWERS}
    header: list[object] = ["event", *(pick(q.text, language) for q in questions)]
    lines = [header]
    for response in every:
        lines.append(
            [
                slugs.get(response.event_id, ""),
                *(_cell(q, response.answers.get(str(q.id)), language) for q in questions),
            ]
        )
    await audit.record(
        conn, "survey.exported", actor=actor, event_id=event_id, data={"rows": len(every), "format": "csv"}
    )
    return lines
