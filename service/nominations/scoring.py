"""The jury's work: conflicts of interest, score sheets, and what each juror may see of the others'.

A juror submits a whole sheet for a nomination (every criterion, 1–5, with comments) and may replace it
until the organiser locks scoring. Only after submitting their own sheet does a juror see the others'. A
juror who declares a conflict of interest loses any sheet they had for that nomination and can neither see
its scores nor score it. Scoring and locking take the call row in share and update mode respectively, and
every write on a nomination takes its row, so a sheet never lands after the lock or next to a conflict.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from uuid import UUID

import asyncpg

from ..accounts.schemas import Principal
from ..errors import Forbidden, Invalid, InvalidState, NotFound
from . import queries, trail
from .access import Standing, nomination_for, require_no_conflict
from .schemas import Call, Criterion, JurorScore, NominationScores, ScoreOut, ScoreSheet, ScoresIn


def weighted(scores: dict[UUID, int], criteria: list[Criterion]) -> Fraction:
    """The weighted mean of one sheet: sum(weight × score) / sum(weight), exactly."""
    weights = {c.id: Fraction(f"{c.weight:.2f}") for c in criteria}
    return sum((weights[c] * s for c, s in scores.items()), Fraction(0)) / sum(weights.values(), Fraction(0))


async def _writable(conn: asyncpg.Connection, nomination_id: UUID, call: Call) -> None:
    """Lock the nomination and share-lock the call. Raises InvalidState (scoring_locked, nomination_withdrawn)."""
    row = await queries.nomination_for_update(conn, nomination_id)
    locked_at = await queries.lock_call_for_scoring(conn, call.id)
    if locked_at is not None:
        raise InvalidState("scoring_locked", "the organisers have locked scoring", locked_at=locked_at.isoformat())
    if row is None or row.status == "withdrawn":
        raise InvalidState("nomination_withdrawn", "the nomination was withdrawn")


def _require_juror(standing: Standing) -> None:
    if standing != "juror":
        raise Forbidden("jury_only", "only jurors score and declare conflicts")


def _check_sheet(data: ScoresIn, criteria: list[Criterion]) -> list[tuple[UUID, int, str]]:
    """Raises Invalid (unknown_criterion, duplicate_criterion, incomplete_scores)."""
    known = {c.id for c in criteria}
    seen: set[UUID] = set()
    for index, item in enumerate(data.scores):
        if item.criterion_id not in known:
            raise Invalid("unknown_criterion", "the call has no such criterion", field=f"scores[{index}].criterion_id")
        if item.criterion_id in seen:
            raise Invalid("duplicate_criterion", "one score per criterion", field=f"scores[{index}].criterion_id")
        seen.add(item.criterion_id)
    if seen != known:
        raise Invalid("incomplete_scores", f"score all {len(known)} criteria", field="scores")
    return [(item.criterion_id, item.score, item.comment.strip()) for item in data.scores]


async def submit_scores(
    conn: asyncpg.Connection, nomination_id: UUID, data: ScoresIn, *, actor: Principal, now: datetime
) -> NominationScores:
    """Submit or replace the juror's sheet. Raises NotFound, Forbidden (not_on_jury, jury_only,
    conflict_of_interest), InvalidState (scoring_locked, nomination_withdrawn), Invalid. Idempotent."""
    _nomination, call, standing = await nomination_for(conn, nomination_id, actor)
    _require_juror(standing)
    await require_no_conflict(conn, nomination_id, actor)
    criteria = await queries.criteria(conn, call.id)
    async with conn.transaction():
        await _writable(conn, nomination_id, call)
        await require_no_conflict(conn, nomination_id, actor)
        rows = _check_sheet(data, criteria)
        await queries.upsert_scores(conn, nomination_id, actor.user_id, rows, now)
        await trail.record_call(
            conn, "jury.scored", call=call, actor=actor.actor, nomination_id=str(nomination_id), criteria=len(rows)
        )
    return await scores_for(conn, nomination_id, actor=actor)


async def declare_conflict(
    conn: asyncpg.Connection, nomination_id: UUID, *, reason: str, actor: Principal, now: datetime
) -> None:
    """Recuse the juror from a nomination (their sheet for it is deleted). Raises NotFound, Forbidden,
    InvalidState (scoring_locked). Idempotent: declaring twice keeps the first declaration."""
    _nomination, call, standing = await nomination_for(conn, nomination_id, actor)
    _require_juror(standing)
    async with conn.transaction():
        await _writable(conn, nomination_id, call)
        await queries.declare_conflict(conn, nomination_id, actor.user_id, reason.strip(), now)
        await queries.history(conn, nomination_id, now, actor.actor, "nomination.conflict_declared", {})
        await trail.record_call(
            conn, "jury.conflict_declared", call=call, actor=actor.actor, nomination_id=str(nomination_id)
        )


def _sheets(rows: list[JurorScore], criteria: list[Criterion]) -> dict[UUID, ScoreSheet]:
    by_juror: dict[UUID, list[JurorScore]] = {}
    for row in rows:
        by_juror.setdefault(row.user_id, []).append(row)
    sheets = {}
    for user_id, items in by_juror.items():
        sheets[user_id] = ScoreSheet(
            juror=items[0].email,
            weighted=round(float(weighted({r.criterion_id: r.score for r in items}, criteria)), 4),
            scores=[ScoreOut(criterion_id=r.criterion_id, score=r.score, comment=r.comment) for r in items],
            scored_at=max(r.scored_at for r in items),
        )
    return sheets


async def scores_for(conn: asyncpg.Connection, nomination_id: UUID, *, actor: Principal) -> NominationScores:
    """The sheets the actor may see: an organiser all of them; a juror their own, and the others' only
    after submitting their own. Raises NotFound, Forbidden (not_on_jury, conflict_of_interest)."""
    nomination, call, standing = await nomination_for(conn, nomination_id, actor)
    if standing == "juror":
        await require_no_conflict(conn, nomination_id, actor)
    criteria = await queries.criteria(conn, call.id)
    sheets = _sheets(await queries.scores_of_nomination(conn, nomination_id), criteria)
    mine = sheets.pop(actor.user_id, None) if standing == "juror" else None
    others = list(sheets.values()) if standing == "organiser" or mine is not None else None
    return NominationScores(
        nomination_id=nomination.id,
        locked=call.scoring_locked_at is not None,
        mine=mine,
        others=others,
        recusals=await queries.recusals(conn, nomination_id),
    )


async def lock_scoring(conn: asyncpg.Connection, call: Call, *, actor: Principal, now: datetime) -> Call:
    """Lock the call's scoring for good. Raises InvalidState (scoring_locked) when already locked."""
    async with conn.transaction():
        current = await queries.call_by_id(conn, call.id, for_update=True)
        if current is None:
            raise NotFound("call_not_found", "no such call")
        if current.scoring_locked_at is not None:
            raise InvalidState("scoring_locked", "scoring is already locked")
        await queries.lock_scoring(conn, call.id, now)
        await trail.record_call(conn, "prize.scoring_locked", call=current, actor=actor.actor)
    locked = await queries.call_by_id(conn, call.id)
    assert locked is not None
    return locked
