"""How an event filled up: registrations per day against its capacity, cumulative, with the waiting list, and the
geometry of its line chart (a small SVG the template draws beside a table with the same numbers; see
_signups_chart.html). Reads only.

A small SVG template rather than a charting library: the chart is two step lines and a capacity line whose
numbers must also stand in a table, and the attendance page's bar chart is drawn the same way (attendance.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg

from ..events.schemas import Event
from ..registrations import queries
from ..types import OSLO
from .attendance import nice_top
from .schemas import DashboardEvent

MAX_DAYS = 400  # a longer registration period is drawn from its last 400 days


@dataclass(frozen=True)
class Day:
    """The event's registrations at the end of one day: with a seat, and on the waiting list."""

    day: date
    seated: int
    waiting: int
    changed: bool  # something happened that day (the table lists only those days)

    @property
    def registered(self) -> int:
        return self.seated + self.waiting


@dataclass(frozen=True)
class SignupChart:
    """Step lines (SVG points) for all registered and for those with a seat, the capacity line, axis ticks and
    which days get a date label, in plot coordinates."""

    days: list[Day]
    capacity: int
    registered_points: str
    seated_points: str
    capacity_y: float
    ticks: list[tuple[int, float]]
    labels: list[tuple[date, float]]
    width: int = 640
    height: int = 260
    left: int = 44
    right: int = 8
    bottom: int = 40
    top: int = 12

    @property
    def base(self) -> float:
        return self.height - self.bottom

    @property
    def changed_days(self) -> list[Day]:
        return [day for day in self.days if day.changed]

    @property
    def last(self) -> Day:
        return self.days[-1]


async def days(conn: asyncpg.Connection, event: Event | DashboardEvent, now: datetime) -> list[Day]:
    """Every day from the first registration to today (or the event's first day, whichever is earlier), with the
    running totals at its end; empty when nobody has registered."""
    changes = await queries.changes_per_day(conn, event.id, "Europe/Oslo")
    if not changes:
        return []
    by_day = {change.day: change for change in changes}
    last = max(changes[-1].day, min(now.astimezone(OSLO).date(), event.starts_at.astimezone(OSLO).date()))
    first = max(changes[0].day, last - timedelta(days=MAX_DAYS - 1))
    registered = sum(change.registered for change in changes if change.day < first)
    seated = sum(change.seated for change in changes if change.day < first)
    found = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        change = by_day.get(day)
        if change:
            registered += change.registered
            seated += change.seated
        found.append(Day(day=day, seated=seated, waiting=max(registered - seated, 0), changed=change is not None))
    return found


def chart(found: list[Day], capacity: int) -> SignupChart:
    """The step lines scaled into the plot, the capacity line, three y ticks and about six date labels."""
    layout = SignupChart(
        days=found, capacity=capacity, registered_points="", seated_points="", capacity_y=0, ticks=[], labels=[]
    )
    plot_width = layout.width - layout.left - layout.right
    plot_height = layout.base - layout.top
    top = nice_top(max([capacity, *(day.registered for day in found)]))

    def x(index: int) -> float:
        return round(layout.left + plot_width * index / max(len(found) - 1, 1), 2)

    def y(value: int) -> float:
        return round(layout.base - plot_height * value / top, 2)

    def steps(values: list[int]) -> str:
        points = [(x(0), y(values[0]))]
        for index in range(1, len(values)):
            points += [(x(index), y(values[index - 1])), (x(index), y(values[index]))]
        if len(values) == 1:  # one day: a flat line across the plot
            points.append((x(1), y(values[0])))
        return " ".join(f"{px},{py}" for px, py in points)

    every = max(1, -(-len(found) // 6))
    return SignupChart(
        days=found,
        capacity=capacity,
        registered_points=steps([day.registered for day in found]),
        seated_points=steps([day.seated for day in found]),
        capacity_y=y(capacity),
        ticks=sorted({(value, y(value)) for value in (0, top // 2, top)}),
        labels=[(found[index].day, x(index)) for index in range(0, len(found), every)],
    )


async def chart_of(conn: asyncpg.Connection, event: Event | DashboardEvent, now: datetime) -> SignupChart | None:
    """The event's chart, or None before anyone registered."""
    found = await days(conn, event, now)
    return chart(found, event.capacity) if found else None
