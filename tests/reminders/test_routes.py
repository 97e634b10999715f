"""The reminders API: the defaults, replacing the list, and bad durations refused with nothing changed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest

from service.accounts.domain import add_user
from tests.conftest import Client, auth
from tests.reminders.conftest import DUE, STARTS

PATH = "/api/v1/events/kk/reminders"


def zulu(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


async def test_reminders_default_to_seven_days_and_one_day(event: Any, client: Client, organiser_headers: Any) -> None:
    response = await client.get(PATH, headers=organiser_headers)

    assert response.status_code == 200
    assert response.json() == [
        {"before": "P7D", "due_at": zulu(STARTS - timedelta(days=7)), "sent": 0},
        {"before": "P1D", "due_at": zulu(DUE), "sent": 0},
    ]


async def test_reminders_put_replaces_the_list_and_schedules_new_ones(
    event: Any, client: Client, conn: asyncpg.Connection, organiser_headers: Any
) -> None:
    response = await client.put(
        PATH, json=[{"before": "PT2H"}, {"before": "P1D"}, {"before": "PT1H30M"}], headers=organiser_headers
    )

    jobs = await conn.fetch("SELECT run_after FROM jobs WHERE kind = 'event.reminder' ORDER BY run_after")
    assert response.status_code == 200, response.text
    assert [r["before"] for r in response.json()] == ["P1D", "PT2H", "PT1H30M"]
    assert [r["before"] for r in (await client.get(PATH, headers=organiser_headers)).json()] == [
        "P1D",
        "PT2H",
        "PT1H30M",
    ]
    assert [str(STARTS - r["run_after"]) for r in jobs] == ["1 day, 0:00:00", "2:00:00", "1:30:00"]


async def test_reminders_empty_list_turns_them_off_and_on_again_with_a_new_job(
    event: Any, client: Client, conn: asyncpg.Connection, organiser_headers: Any
) -> None:
    off = await client.put(PATH, json=[], headers=organiser_headers)
    on = await client.put(PATH, json=[{"before": "P1D"}], headers=organiser_headers)

    rows = await conn.fetch("SELECT before_seconds, enabled, revision FROM event_reminders ORDER BY before_seconds")
    keys = await conn.fetch("SELECT dedupe_key FROM jobs WHERE kind = 'event.reminder' ORDER BY id")
    assert (off.status_code, off.json()) == (200, [])
    assert [r["before"] for r in on.json()] == ["P1D"]
    assert [tuple(r) for r in rows] == [(86400, True, 2), (7 * 86400, False, 1)]
    assert [k["dedupe_key"].split(":")[2] for k in keys] == ["1", "2"]  # a new job; the first finds itself stale


@pytest.mark.parametrize(
    "body",
    [
        [{"before": "-P1D"}],
        [{"before": "P61D"}],
        [{"before": "PT59S"}],
        [{"before": "P1M"}],
        [{"before": "P1Y"}],
        [{"before": "PT"}],
        [{"before": "P"}],
        [{"before": "P99999999999D"}],
        [{"before": "one day"}],
        [{"before": 86400}],
        [{"before": "P1D", "extra": 1}],
        [{"before": "P1D"}, {"before": "PT24H"}],
        [{"before": f"PT{n}M"} for n in range(1, 12)],
        {"before": "P1D"},
    ],
)
async def test_reminders_bad_input_is_refused_and_nothing_changes(
    event: Any, client: Client, conn: asyncpg.Connection, organiser_headers: Any, body: Any
) -> None:
    before = (await client.get(PATH, headers=organiser_headers)).json()
    jobs = await conn.fetchval("SELECT count(*) FROM jobs WHERE kind = 'event.reminder'")

    response = await client.put(PATH, json=body, headers=organiser_headers)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(PATH, headers=organiser_headers)).json() == before
    assert await conn.fetchval("SELECT count(*) FROM jobs WHERE kind = 'event.reminder'") == jobs


async def test_reminders_need_the_events_organiser(
    event: Any, client: Client, admin_token: Any, conn: asyncpg.Connection
) -> None:
    other = (await add_user(conn, email="other@bergen.kommune.no", role="organiser")).token

    anonymous = await client.get(PATH)
    stranger = await client.put(PATH, json=[], headers=auth(other))

    assert anonymous.status_code == 401
    assert stranger.status_code == 403
    assert len((await client.get(PATH, headers=auth(admin_token))).json()) == 2
