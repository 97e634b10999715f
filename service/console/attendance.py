"""Who came: an event's attendance by role and organisation, no-shows, walk-ins, and check-ins per 10 minutes
with the geometry of its bar chart (a small SVG the template draws; see attendance.html). Reads only.

A walk-in is a registration made at the door (`source = 'door'`: service/checkin/walkins.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

SLOT = timedelta(minutes=10)
MAX_SLOTS = 144  # a day; check-ins spread wider than that are shown by their non-empty slots only
_ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)  # slots start on whole ten minutes (in Oslo time too)

TOTALS = """
SELECT count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,
       count(a.registration_id) AS checked_in,
       count(*) FILTER (WHERE r.status = 'confirmed' AND a.registration_id IS NULL) AS no_shows,
       count(*) FILTER (WHERE r.source = 'door' AND r.status <> 'cancelled') AS walk_ins
  FROM registrations r LEFT JOIN checkin_admissions a ON a.registration_id = r.id
 WHERE r.event_id = $1
"""

# Those who have a seat or came in (someone cancelled after being admitted still came), by a grouping column.
_BY = """
SELECT {column} AS label, count(*) FILTER (WHERE r.status = 'confirmed') AS registered,
       count(a.registration_id) AS checked_in
  FROM registrations r LEFT JOIN checkin_admissions a ON a.registration_id = r.id
 WHERE r.event_id = $1 AND (r.status = 'confirmed' OR a.registration_id IS NOT NULL)
 GROUP BY 1 ORDER BY registered DESC, checked_in DESC, 1
 LIMIT $2
"""
BY_ROLE = _BY.format(column="coalesce(r.role, '')")
# Organisations as people typed them, grouped without regard to case and surrounding spaces.
BY_ORGANISATION = _BY.format(column="min(btrim(r.organisation))").replace(
    "GROUP BY 1", "GROUP BY lower(btrim(r.organisation))"
)

PER_SLOT = """
SELECT date_bin($2::interval, scanned_at, $3) AS slot, count(*) AS n
  FROM checkin_admissions WHERE event_id = $1
 GROUP BY 1 ORDER BY 1
"""


@dataclass(frozen=True)
class Group:
    label: str
    registered: int
    checked_in: int


@dataclass(frozen=True)
class Totals:
    confirmed: int
    checked_in: int
    no_shows: int
    walk_ins: int


@dataclass(frozen=True)
class Bar:
    slot: datetime
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """A bar chart of check-ins per slot: bars in plot coordinates, y-axis ticks, and which bars get a label."""

    bars: list[Bar]
    ticks: list[tuple[int, float]]
    labelled: set[int]
    width: int = 640
    height: int = 260
    left: int = 44
    bottom: int = 40
    top: int = 12

    @property
    def base(self) -> float:
        return self.height - self.bottom


async def totals(conn: asyncpg.Connection, event_id: UUID) -> Totals:
    row = await conn.fetchrow(TOTALS, event_id)
    return Totals(**{k: int(v) for k, v in dict(row).items()})


async def by_role(conn: asyncpg.Connection, event_id: UUID) -> list[Group]:
    return [Group(**dict(r)) for r in await conn.fetch(BY_ROLE, event_id, 50)]


async def by_organisation(conn: asyncpg.Connection, event_id: UUID, *, limit: int = 200) -> list[Group]:
    return [Group(**dict(r)) for r in await conn.fetch(BY_ORGANISATION, event_id, limit)]


async def per_slot(conn: asyncpg.Connection, event_id: UUID) -> list[tuple[datetime, int]]:
    """Check-ins per ten minutes, empty slots between the first and the last included."""
    rows = [(r["slot"], int(r["n"])) for r in await conn.fetch(PER_SLOT, event_id, SLOT, _ORIGIN)]
    if not rows:
        return []
    first, last = rows[0][0], rows[-1][0]
    if (last - first) / SLOT >= MAX_SLOTS:
        return rows
    counts = dict(rows)
    slots = int((last - first) / SLOT) + 1
    return [(first + i * SLOT, counts.get(first + i * SLOT, 0)) for i in range(slots)]


def nice_top(value: int) -> int:
    """The y axis's top: 1, 2, 5 or 10 times a power of ten, at least `value`."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def chart(slots: list[tuple[datetime, int]]) -> Chart:
    """Bars for the slots, scaled into the plot; about eight bars get a time label so labels never overlap."""
    layout = Chart(bars=[], ticks=[], labelled=set())
    plot_width = layout.width - layout.left - 8
    plot_height = layout.base - layout.top
    top = nice_top(max((n for _, n in slots), default=1))
    step = plot_width / max(len(slots), 1)
    bars = [
        Bar(
            slot=slot,
            count=n,
            x=round(layout.left + i * step + step * 0.1, 2),
            y=round(layout.base - plot_height * n / top, 2),
            width=round(step * 0.8, 2),
            height=round(plot_height * n / top, 2),
        )
        for i, (slot, n) in enumerate(slots)
    ]
    ticks = [(value, round(layout.base - plot_height * value / top, 2)) for value in (0, top // 2, top)]
    every = max(1, -(-len(slots) // 8))
    return Chart(bars=bars, ticks=sorted(set(ticks)), labelled=set(range(0, len(slots), every)))


@dataclass(frozen=True)
class Row:
    """One bar of a horizontal bar chart: its label (shortened to fit; the table beside has it whole)."""

    label: str
    count: int
    y: float
    width: float


@dataclass(frozen=True)
class RowChart:
    """A horizontal bar chart of counts by label (a survey question's answers): the same scale and ticks as the
    check-in chart, turned on its side so long labels fit."""

    rows: list[Row]
    ticks: list[tuple[int, float]]
    width: int = 480
    left: int = 160
    right: int = 40
    row_height: int = 28
    top: int = 8
    bottom: int = 24

    @property
    def height(self) -> int:
        return self.top + len(self.rows) * self.row_height + self.bottom

    @property
    def base(self) -> float:
        return self.top + len(self.rows) * self.row_height


def _short(label: str, most: int = 24) -> str:
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def row_chart(counts: list[tuple[str, int]]) -> RowChart:
    """Bars for the counts, scaled to the largest (ticks at 0, half and the top, as chart() has them)."""
    layout = RowChart(rows=[], ticks=[])
    plot_width = layout.width - layout.left - layout.right
    top = nice_top(max((n for _, n in counts), default=1))
    rows = [
        Row(
            label=_short(label),
            count=n,
            y=layout.top + i * layout.row_height + 4,
            width=round(plot_width * n / top, 2),
        )
        for i, (label, n) in enumerate(counts)
    ]
    ticks = [(value, round(layout.left + plot_width * value / top, 2)) for value in (0, top // 2, top)]
    return RowChart(rows=rows, ticks=sorted(set(ticks)))
