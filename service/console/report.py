"""An event's report for the partners' annual reporting: how many registered, got a seat, reached the waiting
list, came and did not come, by role and by organisation, and each session's attendance; with the geometry of its
horizontal bar charts (small SVGs the report template draws, each beside a table with the same numbers, like the
attendance page's chart: service/console/attendance.py). Reads only.

"Reached the waiting list" counts everyone who was ever on it (a waiting-list number stays once given); "came" is a
check-in at a door (a later cancellation does not undo it); a no-show has a seat and no check-in. A session's
attendance is the people who chose it (and kept a seat in it) and were checked in at the event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import asyncpg

from .attendance import nice_top

_COUNTS = """
count(*) AS registered,
count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,
count(*) FILTER (WHERE r.waitlist_no IS NOT NULL) AS waitlist_reached,
count(a.registration_id) AS attended,
count(*) FILTER (WHERE r.status = 'confirmed' AND a.registration_id IS NULL) AS no_shows
"""
_FROM = "FROM registrations r LEFT JOIN checkin_admissions a ON a.registration_id = r.id WHERE r.event_id = $1"
TOTALS = f"SELECT {_COUNTS} {_FROM}"
BY_ROLE = f"SELECT coalesce(r.role, '') AS label, {_COUNTS} {_FROM} GROUP BY 1 ORDER BY registered DESC, 1"
# Organisations as people typed them, grouped without regard to case and surrounding spaces.
BY_ORGANISATION = f"""
SELECT min(btrim(r.organisation)) AS label, {_COUNTS} {_FROM}
 GROUP BY lower(btrim(r.organisation)) ORDER BY registered DESC, 1 LIMIT $2
"""
SESSIONS = """
SELECT s.title, s.starts_at, s.ends_at, s.kind,
       count(c.registration_id) AS chose, count(a.registration_id) AS attended
  FROM sessions s
  LEFT JOIN session_choices c ON c.session_id = s.id AND c.status = 'confirmed'
  LEFT JOIN checkin_admissions a ON a.registration_id = c.registration_id
 WHERE s.event_id = $1 AND s.status = 'scheduled' AND s.kind IN ('plenary', 'parallel')
 GROUP BY s.id ORDER BY s.starts_at, s.id
"""
ORGANISATION_LIMIT = 500
CHART_ROWS = 15  # the charts show the largest 15; their tables show every row


@dataclass(frozen=True)
class Counts:
    label: str
    registered: int
    confirmed: int
    waitlist_reached: int
    attended: int
    no_shows: int


@dataclass(frozen=True)
class SessionAttendance:
    title: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    kind: str
    chose: int
    attended: int


@dataclass(frozen=True)
class HBar:
    series: int  # 0: the lighter first series, 1: the darker second
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class HRow:
    label: str
    y: float  # the label's baseline
    bars: list[HBar]


@dataclass(frozen=True)
class HChart:
    """Horizontal bars, one group per row (one bar per series), with x-axis ticks."""

    rows: list[HRow]
    ticks: list[tuple[int, float]]
    height: int
    width: int = 640
    left: int = 210
    right: int = 16
    top: int = 8
    bottom: int = 28
    series: list[str] = field(default_factory=list)

    @property
    def base(self) -> float:
        return self.height - self.bottom


def _short(label: str, most: int = 30) -> str:
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def hchart(rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str]) -> HChart:
    """Bars for `rows` of (label, one value per series), scaled to the largest; labels cut to 30 characters (the
    table beside the chart holds them whole)."""
    bar_height, gap = 14, 10
    group = bar_height * len(series) + gap
    height = 8 + 28 + group * len(rows)
    layout = HChart(rows=[], ticks=[], height=height, series=list(series))
    plot_width = layout.width - layout.left - layout.right
    top = nice_top(max((max(values, default=0) for _, values in rows), default=1) or 1)
    built = []
    for index, (label, values) in enumerate(rows):
        y0 = layout.top + index * group
        bars = [
            HBar(
                series=s,
                value=value,
                x=layout.left,
                y=y0 + s * bar_height,
                width=round(plot_width * value / top, 2),
                height=bar_height - 2,
            )
            for s, value in enumerate(values)
        ]
        built.append(HRow(label=_short(label), y=y0 + bar_height * len(series) / 2 + 4, bars=bars))
    ticks = [(value, round(layout.left + plot_width * value / top, 2)) for value in sorted({0, top // 2, top})]
    return HChart(rows=built, ticks=ticks, height=height, series=list(series))


async def totals(conn: asyncpg.Connection, event_id: UUID) -> Counts:
    row = await conn.fetchrow(TOTALS, event_id)
    return Counts(label="", **{k: int(v) for k, v in dict(row).items()})


async def by_role(conn: asyncpg.Connection, event_id: UUID) -> list[Counts]:
    return [Counts(**dict(row)) for row in await conn.fetch(BY_ROLE, event_id)]


async def by_organisation(conn: asyncpg.Connection, event_id: UUID) -> list[Counts]:
    return [Counts(**dict(row)) for row in await conn.fetch(BY_ORGANISATION, event_id, ORGANISATION_LIMIT)]


async def sessions(conn: asyncpg.Connection, event_id: UUID) -> list[SessionAttendance]:
    return [SessionAttendance(**dict(row)) for row in await conn.fetch(SESSIONS, event_id)]
