"""Registrations over time: the running totals per day (with a seat, on the waiting list) from the real table,
and the chart with its table on the event page and the dashboard."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from service.console import signups
from service.console.schemas import DashboardEvent
from service.hooks import REGISTRATION_END_HOOKS
from service.registrations import domain
from tests.conftest import Client, MakeEvent
from tests.console.conftest import sign_in
from tests.console.test_registrations import register_people


async def filled_over_three_days(client: Client, conn: asyncpg.Connection, make_event: MakeEvent, clock: Any) -> None:
    """Capacity 2. Day one (1 March): four register, two get seats. Day three: a seated one cancels, the first on
    the waiting list moves up."""
    await make_event(slug="kk", capacity=2, starts_at="2027-03-10T09:00:00+01:00", ends_at="2027-03-10T16:00:00+01:00")
    ids = await register_people(client)
    clock.advance(days=2)
    await domain.cancel_registration(
        conn, UUID(ids[0]), actor=domain.ATTENDEE, now=clock.now, end_hooks=REGISTRATION_END_HOOKS
    )


async def event_of(conn: asyncpg.Connection) -> DashboardEvent:
    row = await conn.fetchrow("SELECT id, starts_at, capacity FROM events WHERE slug = 'kk'")
    return DashboardEvent(
        id=row["id"],
        slug="kk",
        title={"nb": "KK"},
        status="published",
        starts_at=row["starts_at"],
        ends_at=row["starts_at"],
        capacity=row["capacity"],
        registration_paused=False,
        confirmed=0,
        waitlisted=0,
        cancelled_this_week=0,
    )


async def test_running_totals_per_day_with_seats_and_waiting_list(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, clock: Any
) -> None:
    await filled_over_three_days(client, conn, make_event, clock)
    clock.advance(days=1)

    found = await signups.days(conn, await event_of(conn), clock.now)

    assert [(d.day, d.seated, d.waiting, d.changed) for d in found] == [
        (date(2027, 3, 1), 2, 2, True),
        (date(2027, 3, 2), 2, 2, False),
        (date(2027, 3, 3), 2, 1, True),  # one seated cancelled, the first waiting moved up
        (date(2027, 3, 4), 2, 1, False),  # up to today
    ]


async def test_days_stop_at_the_event_and_start_empty(
    client: Client, conn: asyncpg.Connection, make_event: MakeEvent, clock: Any
) -> None:
    await make_event(slug="kk", capacity=2, starts_at="2027-03-10T09:00:00+01:00", ends_at="2027-03-10T16:00:00+01:00")
    assert await signups.days(conn, await event_of(conn), clock.now) == []
    await register_people(client)

    later = datetime.fromisoformat("2027-04-20T12:00:00+02:00")
    found = await signups.days(conn, await event_of(conn), later)

    assert (found[0].day, found[-1].day, len(found)) == (date(2027, 3, 1), date(2027, 3, 10), 10)


def test_chart_scales_to_capacity_or_registrations_whichever_is_more() -> None:
    found = [signups.Day(day=date(2027, 3, 1), seated=2, waiting=3, changed=True)]

    small = signups.chart(found, capacity=2)
    large = signups.chart(found, capacity=100)

    assert small.ticks[-1][0] == 5
    assert small.capacity_y > small.top
    assert large.ticks[-1][0] == 100
    assert large.capacity_y == large.top
    assert small.registered_points.split()[0] == f"{small.left:.1f},{small.top:.1f}"  # 5 of 5: the top of the plot
    assert len(small.seated_points.split()) == 2  # one day: a flat line across


async def test_event_page_and_dashboard_show_the_chart_with_its_table(
    organiser: Any, client: Client, conn: asyncpg.Connection, make_event: MakeEvent, clock: Any
) -> None:
    await filled_over_three_days(client, conn, make_event, clock)
    signed_in = client
    await sign_in(client, organiser.email)  # after the days went by (a console session lasts hours)

    page = await signed_in.get("/console/events/kk?lang=nn")
    dashboard = await signed_in.get("/console/?lang=en")

    assert "Påmeldingar over tid" in page.text
    table = page.text.split('id="signups-caption"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">måndag 1. mars 2027</th><td>2</td><td>2</td>' in table
    assert '<th scope="row">onsdag 3. mars 2027</th><td>2</td><td>1</td>' in table
    assert "tysdag 2. mars" not in table  # days without changes are only in the picture
    assert "How the next events fill up" in dashboard.text
    assert 'id="signups-kk-caption"' in dashboard.text
    assert "Capacity (2)" in dashboard.text
