"""Results and the export on stored answers: hidden under five, per date only from five of its own."""

from __future__ import annotations

from typing import Any

import asyncpg

from service.surveys import queries
from service.surveys.results import export_lines, results
from tests.conftest import Client, MakeEvent
from tests.surveys.conftest import put_survey


async def two_dates_answered(
    conn: asyncpg.Connection,
    make_event: MakeEvent,
    event_times: dict[str, str],
    client: Client,
    token: str,
    june: int,
    september: int,
) -> tuple[Any, list[queries.SurveyEventRow]]:
    await make_event(slug="kk", series="verkstad", kind="workshop", **event_times)
    await make_event(slug="kk-september", series="verkstad", kind="workshop", **event_times)
    shared = await put_survey(client, token, shared_with_series=True)
    survey = await queries.survey_of_event(conn, (await conn.fetchval("SELECT id FROM events WHERE slug = 'kk'")))
    assert survey is not None, shared.text
    events = await queries.events_of_survey(conn, survey.id)
    rating = str((await queries.questions(conn, survey.id))[0].id)
    for row, count in zip(events, (june, september), strict=True):
        for n in range(count):
            await queries.insert_response(conn, survey.id, row.id, {rating: n % 5 + 1})
    return survey, events


async def test_a_date_with_fewer_than_five_answers_is_not_named_in_the_export_nor_shown_alone(
    conn: asyncpg.Connection, make_event: MakeEvent, event_times: dict[str, str], client: Client, organiser_token: str
) -> None:
    survey, events = await two_dates_answered(
        conn, make_event, event_times, client, organiser_token, june=5, september=1
    )

    lines = await export_lines(conn, survey.id, "nb", events=events, event_id=events[0].id, actor="user:test")
    shown = await results(conn, survey.id, "nb", events=events)

    assert sorted(str(line[0]) for line in lines[1:]) == ["", "kk", "kk", "kk", "kk", "kk"]
    assert [(c.slug, c.answers, c.shown) for c in shown.columns] == [
        ("kk", 5, True),
        ("kk-september", 1, False),
        (None, 6, True),
    ]
    assert list(shown.questions[0].counts) == ["kk", None]
    assert shown.questions[0].counts[None] == [2, 1, 1, 1, 1]
    assert shown.questions[0].means[None] == round((1 + 2 + 3 + 4 + 5 + 1) / 6, 2)


async def test_nothing_is_shown_under_five_answers_in_all(
    conn: asyncpg.Connection, make_event: MakeEvent, event_times: dict[str, str], client: Client, organiser_token: str
) -> None:
    survey, events = await two_dates_answered(
        conn, make_event, event_times, client, organiser_token, june=2, september=2
    )

    shown = await results(conn, survey.id, "nb", events=events)

    assert (shown.answers, shown.shown, shown.columns, shown.questions) == (4, False, [], [])
