"""Building the API's answers (shared by routes and pages): calls, prizes, the nominator's view, CSV files."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec
from litestar import Response

from ..errors import NotFound
from ..events import queries as event_queries
from ..spreadsheet import csv_response
from . import links, queries
from .schemas import Call, CallOut, Nomination, NominationSelf, Prize, PrizeOut, Results, Winner


async def call_out(conn: asyncpg.Connection, call: Call, now: datetime, *, with_jury: bool = False) -> CallOut:
    event = await event_queries.event_by_id(conn, call.event_id) if call.event_id else None
    jury = [r["email"] for r in await queries.jury(conn, call.id)] if with_jury else None
    return CallOut(
        id=call.id,
        year=call.year,
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        scoring_closes_at=call.scoring_closes_at,
        state=call.state(now),
        scoring_locked=call.scoring_locked_at is not None,
        published=call.published_at is not None,
        criteria=await queries.criteria(conn, call.id),
        event=event.slug if event else None,
        notify_nominees=call.notify_nominees,
        jury=jury,
    )


def current_call(calls: list[Call], now: datetime) -> Call | None:
    """The open call, else the next one, else the latest."""
    for state in ("open", "not_open_yet"):
        found = [c for c in calls if c.state(now) == state]
        if found:
            return found[0]
    return calls[-1] if calls else None


async def prize_out(conn: asyncpg.Connection, prize: Prize, now: datetime) -> PrizeOut:
    call = current_call(await queries.calls_of_prize(conn, prize.id), now)
    return PrizeOut(
        slug=prize.slug,
        name=prize.name,
        description=prize.description,
        current_call=await call_out(conn, call, now) if call else None,
        winners=[Winner(**dict(r)) for r in await queries.winners(conn, prize.id)],
    )


async def get_prize(conn: asyncpg.Connection, slug: str) -> Prize:
    prize = await queries.prize_by_slug(conn, slug)
    if prize is None:
        raise NotFound("prize_not_found", f"no prize {slug!r}")
    return prize


async def by_secret(conn: asyncpg.Connection, secret: str | None) -> Nomination:
    """The nomination of a manage link. Raises NotFound for an unknown secret."""
    if not links.looks_like_secret(secret):
        raise NotFound("nomination_not_found", "no nomination for this link")
    nomination = await queries.nomination_by_secret(conn, links.hash_secret(secret or ""))
    if nomination is None:
        raise NotFound("nomination_not_found", "no nomination for this link")
    return nomination


async def self_view(conn: asyncpg.Connection, nomination: Nomination, now: datetime) -> NominationSelf:
    call = await queries.call_by_id(conn, nomination.call_id)
    assert call is not None
    prize = await queries.prize_by_id(conn, call.prize_id)
    assert prize is not None
    return NominationSelf(
        id=nomination.id,
        status=nomination.status,
        prize=prize.name,
        year=call.year,
        closes_at=call.closes_at,
        can_withdraw=nomination.status == "submitted" and now < call.closes_at,
        nominee_kind=nomination.nominee_kind,
        nominee_name=nomination.nominee_name,
        nominee_organisation=nomination.nominee_organisation,
        nominee_email=nomination.nominee_email,
        title=nomination.title,
        justification=nomination.justification,
        links=nomination.links,
        nominator_name=nomination.nominator_name,
        nominator_email=nomination.nominator_email,
        nominator_relation=nomination.nominator_relation,
        created_at=nomination.created_at,
        withdrawn_at=nomination.withdrawn_at,
    )


def redacted(nomination: Nomination) -> Nomination:
    """What a conflicted juror still sees in the list: who and what, not the case or the people behind it."""
    return msgspec.structs.replace(
        nomination, nominee_email="", justification="", links=[], nominator_name="", nominator_email="",
        nominator_relation="",
    )  # fmt: skip


def results_csv(filename: str, results: Results, nominations: list[Nomination]) -> Response[bytes]:
    """One line per nomination: the nomination (with nominator) and its result figures."""
    by_id = {n.id: n for n in nominations}
    header = [
        "rank", "tied", "weighted_mean", "scores", "spread", "recusals", "normalised_rank", "normalised_tied",
        "normalised_mean", "status", "nominee_kind", "nominee_name", "nominee_organisation", "nominee_email",
        "title", "group_size", "nominator_name", "nominator_email", "nominator_relation", "decision_reason",
        "nominated_at", "nomination_id",
    ]  # fmt: skip
    rows = []
    for r in results.rows:
        n = by_id[r.nomination_id]
        rows.append(
            [
                r.rank or "", "yes" if r.tied else "", r.weighted_mean if r.weighted_mean is not None else "",
                r.scores, r.spread if r.spread is not None else "", r.recusals, r.normalised_rank or "",
                "yes" if r.normalised_tied else "", r.normalised_mean if r.normalised_mean is not None else "",
                n.status, n.nominee_kind, n.nominee_name, n.nominee_organisation, n.nominee_email, n.title,
                n.group_size, n.nominator_name, n.nominator_email, n.nominator_relation, n.decision_reason,
                n.created_at.isoformat(), n.id,
            ]
        )  # fmt: skip
    return csv_response(filename, [header, *rows])
