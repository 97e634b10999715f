"""Answering: stored apart from the person, once per link; bad input is refused and nothing is stored."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import asyncpg
import pytest

from service.errors import Conflict
from service.surveys import domain
from tests.conftest import Client, RunJobs, auth
from tests.smtp import SmtpServer
from tests.surveys.conftest import DUE, QUESTIONS, make_due, put_survey
from tests.surveys.test_delivery import link_of, received, surveys_in


async def links_for(
    register: Any,
    door: Any,
    client: Client,
    token: str,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
    people: int = 2,
) -> list[str]:
    """`people` registered and checked in; the survey sent; their links."""
    admit = await door()
    for n in range(people):
        await admit(await register(f"Deltakar {n}", f"d{n}@example.no"))
    await put_survey(client, token)
    clock.now = DUE
    await make_due(conn)
    await run_jobs()
    return [link_of(m) for m in surveys_in(received(smtp))]


def fields_of(page: str) -> dict[str, str]:
    """The question fields of the answer form by kind: rating, choice, choices (prefix), text."""
    rating = re.search(r'name="(q_[0-9a-f-]{36})" value="5"', page)
    choice = re.search(r'type="radio" id="(q_[0-9a-f-]{36})-0" name="\1" value="0"', page)
    several = re.search(r'type="checkbox" id="(q_[0-9a-f-]{36})_0"', page)
    text = re.search(r'<textarea class="ds-input" id="(q_[0-9a-f-]{36})"', page)
    assert rating, page
    assert choice, page
    assert several, page
    assert text, page
    return {"rating": rating[1], "choice": choice[1], "choices": several[1], "text": text[1]}


async def test_answers_are_stored_with_nothing_that_leads_back_to_the_person(
    event: Any,
    register: Any,
    door: Any,
    client: Client,
    organiser_token: str,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
) -> None:
    links = await links_for(register, door, client, organiser_token, conn, run_jobs, smtp, clock)
    fields = fields_of((await client.get(links[0])).text)

    answered = await client.post(
        links[0],
        data={
            fields["rating"]: "4",
            fields["choice"]: "1",
            f"{fields['choices']}_0": "yes",
            f"{fields['choices']}_2": "yes",
            fields["text"]: "Meir tid til spørsmål",
        },
    )

    columns = await conn.fetch(
        """SELECT column_name, data_type FROM information_schema.columns
            WHERE table_name = 'survey_responses' ORDER BY ordinal_position"""
    )
    references = await conn.fetch(
        """SELECT confrelid::regclass::text FROM pg_constraint
            WHERE conrelid = 'survey_responses'::regclass AND contype = 'f' ORDER BY 1"""
    )
    stored = await conn.fetch("SELECT answers FROM survey_responses")
    questions = await conn.fetch("SELECT id FROM survey_questions ORDER BY position")
    assert answered.status_code == 200, answered.text
    assert "Takk! Svarene dine er lagret, uten navnet ditt." in answered.text
    # No registration, invitation, time or serial number: a random id, the survey, the event and the answers.
    assert [tuple(c) for c in columns] == [
        ("id", "uuid"),
        ("survey_id", "uuid"),
        ("event_id", "uuid"),
        ("answers", "jsonb"),
    ]
    assert [r[0] for r in references] == ["events", "surveys"]
    assert [r["answers"] for r in stored] == [
        {
            str(questions[0]["id"]): 4,
            str(questions[1]["id"]): 1,
            str(questions[2]["id"]): [0, 2],
            str(questions[3]["id"]): "Meir tid til spørsmål",
        }
    ]
    assert [tuple(r) for r in await conn.fetch("SELECT answered FROM survey_invitations ORDER BY answered")] == [
        (False,),
        (True,),
    ]
    invitation_columns = {
        r[0]
        for r in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'survey_invitations'"
        )
    }
    assert "answered_at" not in invitation_columns


async def test_answering_twice_with_one_link_says_so_and_stores_nothing(
    event: Any,
    register: Any,
    door: Any,
    client: Client,
    organiser_token: str,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
) -> None:
    links = await links_for(register, door, client, organiser_token, conn, run_jobs, smtp, clock, people=1)
    fields = fields_of((await client.get(links[0])).text)
    await client.post(links[0], data={fields["rating"]: "4"})

    again = await client.post(links[0], data={fields["rating"]: "1"})
    page = await client.get(links[0])

    assert again.status_code == 409
    message = "Undersøkelsen er allerede besvart med lenken din, så ingenting mer ble lagret."
    assert message in again.text
    assert message in page.text
    assert [r["answers"] for r in await conn.fetch("SELECT answers FROM survey_responses")] == [
        {fields["rating"][2:]: 4}
    ]


@pytest.mark.parametrize(
    ("typed", "field", "code_text"),
    [
        ({"rating": "6"}, "rating", "Velg et tall fra 1 til 5."),
        ({"rating": "fem"}, "rating", "Velg et tall fra 1 til 5."),
        ({"choice": "7"}, "choice", "Velg ett av alternativene."),
        ({"choices": "9"}, "choices", "Velg ett av alternativene."),
        ({}, "form", "Svar på minst ett spørsmål før du sender."),
    ],
)
async def test_bad_answers_show_the_form_again_with_the_error_by_its_question_and_store_nothing(
    event: Any,
    register: Any,
    door: Any,
    client: Client,
    organiser_token: str,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
    typed: dict[str, str],
    field: str,
    code_text: str,
) -> None:
    links = await links_for(register, door, client, organiser_token, conn, run_jobs, smtp, clock, people=1)
    fields = fields_of((await client.get(links[0])).text)
    data = {
        (f"{fields[kind]}_{value}" if kind == "choices" else fields[kind]): ("yes" if kind == "choices" else value)
        for kind, value in typed.items()
    }

    refused = await client.post(links[0], data=data)

    assert refused.status_code == 422
    anchor = "form" if field == "form" else fields[field]
    assert f'href="#{anchor}"' in refused.text
    assert code_text in refused.text
    if field != "form":
        assert f'id="{anchor}-error">{code_text}</p>' in refused.text
    assert await conn.fetchval("SELECT count(*) FROM survey_responses") == 0
    assert await conn.fetchval("SELECT count(*) FROM survey_invitations WHERE answered") == 0


async def test_unknown_link_is_not_found(event: Any, client: Client) -> None:
    page = await client.get("/s/not-a-real-token")

    assert page.status_code == 404


def with_question(**change: Any) -> list[dict[str, Any]]:
    return [*QUESTIONS[:3], {**QUESTIONS[3], **change}]


@pytest.mark.parametrize(
    ("questions", "code"),
    [
        ([QUESTIONS[0]] * 16, "too_many_survey_questions"),
        (with_question(text={"nb": ""}), "validation_failed"),
        (with_question(text={"nn": "Kva kan vi gjere betre?"}), "validation_failed"),
        (with_question(kind="choice"), "invalid_question"),
        (with_question(kind="scale"), "validation_failed"),
        (with_question(choices=[{"nb": "Ja"}, {"nb": "Nei"}]), "invalid_question"),
        ([], "validation_failed"),
    ],
)
async def test_bad_survey_is_refused_as_problem_json_and_nothing_is_stored(
    event: Any, client: Client, organiser_token: str, conn: asyncpg.Connection, questions: Any, code: str
) -> None:
    refused = await client.put("/api/v1/events/kk/survey", json={"questions": questions}, headers=auth(organiser_token))

    assert (refused.status_code, refused.headers["content-type"], refused.json()["code"]) == (
        422,
        "application/problem+json",
        code,
    )
    assert await conn.fetchval("SELECT count(*) FROM surveys") == 0
    assert await conn.fetchval("SELECT count(*) FROM survey_questions") == 0


async def test_bad_send_time_is_refused(
    event: Any, client: Client, organiser_token: str, conn: asyncpg.Connection
) -> None:
    refused = await put_survey(client, organiser_token, send_after="P31D")

    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_duration")
    assert await conn.fetchval("SELECT count(*) FROM surveys") == 0


async def test_two_answers_sent_at_once_with_one_link_store_one(
    event: Any,
    register: Any,
    door: Any,
    client: Client,
    organiser_token: str,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
    pool: asyncpg.Pool,
) -> None:
    links = await links_for(register, door, client, organiser_token, conn, run_jobs, smtp, clock, people=1)
    token = links[0].split("/s/")[1].split("?")[0]
    rating = fields_of((await client.get(links[0])).text)["rating"][2:]

    async def send(value: int) -> str:
        async with pool.acquire() as own:
            try:
                await domain.answer(own, token, {rating: value})
            except Conflict as refused:
                return refused.code
            return "stored"

    outcomes = await asyncio.gather(send(1), send(2))

    assert sorted(outcomes) == ["already_answered", "stored"]
    assert await conn.fetchval("SELECT count(*) FROM survey_responses") == 1
