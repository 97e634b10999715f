"""The dashboard's parts from other domains: check-ins at the events taking place today (refreshing with the
rest of the table), the charts of the next events (how they fill up; check-ins on the day), and the prize calls
open for nominations with their counts. Each number comes from its
own domain (service/checkin, service/nominations)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from ..accounts.schemas import Principal
from ..checkin import queries as checkin_queries
from ..checkin.schemas import Counts
from ..nominations import queries as nomination_queries
from ..nominations.access import prizes_for
from ..types import OSLO
from . import attendance, signups
from .schemas import DashboardEvent

CHARTED = 3  # the next events that get their charts on the dashboard


class OpenCall(msgspec.Struct, kw_only=True):
    call_id: UUID
    prize: dict[str, str]
    year: int
    closes_at: datetime
    nominations: int


def on_the_day(event: DashboardEvent, now: datetime) -> bool:
    """Whether the event takes place today in Norway (from its first day to its last)."""
    today = now.astimezone(OSLO).date()
    return event.starts_at.astimezone(OSLO).date() <= today <= event.ends_at.astimezone(OSLO).date()


async def checkins_today(conn: asyncpg.Connection, events: list[DashboardEvent], now: datetime) -> dict[UUID, Counts]:
    """Event id -> checked in / expected, for the events taking place today."""
    found = {}
    for event in events:
        if on_the_day(event, now):
            found[event.id] = await checkin_queries.counts(conn, event.id)
    return found


@dataclass(frozen=True)
class EventCharts:
    event: DashboardEvent
    signups: signups.SignupChart
    checkins: attendance.Chart | None


async def charts(conn: asyncpg.Connection, events: list[DashboardEvent], now: datetime) -> list[EventCharts]:
    """The next few events that are not cancelled and have registrations: how they fill up against their capacity,
    and on the day the check-ins per ten minutes."""
    found = []
    for event in events:
        if event.status == "cancelled":
            continue
        chart = await signups.chart_of(conn, event, now)
        if chart is None:
            continue
        slots = await attendance.per_slot(conn, event.id) if on_the_day(event, now) else []
        found.append(EventCharts(event=event, signups=chart, checkins=attendance.chart(slots) if slots else None))
        if len(found) == CHARTED:
            break
    return found


async def open_calls(conn: asyncpg.Connection, principal: Principal, now: datetime) -> list[OpenCall]:
    """The calls of the principal's prizes open for nominations now, with how many nominations they have."""
    calls = []
    for prize in await prizes_for(conn, principal):
        for call in await nomination_queries.calls_of_prize(conn, prize.id):
            if call.state(now) == "open":
                nominations = await nomination_queries.nominations_of_call(conn, call.id)
                count = sum(1 for n in nominations if n.status != "withdrawn")
                calls.append(
                    OpenCall(
                        call_id=call.id, prize=prize.name, year=call.year, closes_at=call.closes_at, nominations=count
                    )
                )
    return sorted(calls, key=lambda call: call.closes_at)
