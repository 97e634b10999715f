"""What the console's audit pages share (an event's and a prize's): the page of entries before a time, the
link to older ones, and an entry's details as one line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from litestar.params import QueryParameter

from .schemas import AuditEntry

PAGE = 100  # entries on one page
Before = Annotated[str, QueryParameter(max_length=40)]  # the time of the last entry of the page before

# Prize and jury entries (service/nominations/trail.py): action -> English msgid.
PRIZE_ACTIONS = {
    "prize.created": "Prize created",
    "prize.call_created": "Call created",
    "prize.jury_changed": "Jury changed",
    "prize.nomination_shortlisted": "Nomination shortlisted",
    "prize.nomination_rejected": "Nomination rejected",
    "prize.nomination_winner": "Nomination chosen as the winner",
    "prize.nomination_submitted": "Nomination back to submitted",
    "prize.scoring_locked": "Scoring locked",
    "prize.published": "Winner published",
    "prize.exported": "List downloaded",
    "jury.scored": "A juror scored a nomination",
    "jury.conflict_declared": "A juror declared a conflict of interest",
}


def before_of(text: str) -> datetime:
    """The `before` query parameter as a time with its zone; anything else: now and all before it."""
    try:
        until = datetime.fromisoformat(text) if text else None
    except ValueError:
        until = None
    return until if until is not None and until.tzinfo is not None else datetime.max.replace(tzinfo=UTC)


def older_link(entries: Sequence[AuditEntry]) -> str | None:
    """The link to the page before the last entry shown, when the page is full."""
    return f"?{urlencode({'before': entries[-1].at.isoformat()})}" if len(entries) == PAGE else None


def details(data: dict[str, object]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in data.items()) if data else ""
