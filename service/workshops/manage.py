"""What the manage page shows of a workshop registration, kept below both page modules that use it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from ..events import domain as events
from ..events.schemas import Event
from ..registrations.schemas import Registration
from . import queries, series

# How many ranks the sign-up form offers (the API takes up to 20; the manage page shows as many as were given).
MAX_RANKS = 3
RANK_LABELS = ("First choice", "Second choice", "Third choice")


def ranking_from_form(form: dict[str, str]) -> list[str]:
    """The group keys chosen in the form's rank_1, rank_2, … selects, in rank order, blanks left out."""
    ranks = sorted(int(name[5:]) for name in form if name.startswith("rank_") and name[5:].isdigit())
    return [key for key in (form[f"rank_{n}"].strip() for n in ranks if n <= 20) if key]


async def workshop_context(
    conn: asyncpg.Connection, registration: Registration, event: Event, *, now: datetime
) -> dict[str, Any]:
    """What the manage page shows of a workshop: the person's group (once published), their ranking (changeable
    while registration is open and the groups are unpublished) and the dates of the series that the same sign-up
    made, with their status only: a page never holds another registration's link."""
    group = await queries.group_of(conn, registration.id)
    dates = [
        {"event": await events.get_event(conn, slug, include_unpublished=True), "status": status}
        for slug, status in await series.signup_dates(conn, registration)
    ]
    groups = await queries.groups(conn, event.id)
    by_key = {g.key: g for g in groups}
    ranking = [by_key[key] for key in await queries.ranking_of(conn, registration.id) if key in by_key]
    round_ = await queries.round_of(conn, event.id)
    published = round_ is not None and round_.published_at is not None
    return {
        "group": group if group and group.published else None,
        "series_dates": dates,
        "perspectives": groups,
        "ranking": ranking,
        "ranks": min(len(groups), max(MAX_RANKS, len(ranking))),
        "ranking_open": registration.status != "cancelled"
        and event.registration_state(now) == "open"
        and not published
        and bool(groups),
    }
