"""The survey through the real worker code and a real SMTP server on loopback, with the clock injected."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import asyncpg

from service.surveys.domain import response_rate
from tests.conftest import Client, RunJobs
from tests.smtp import SmtpServer
from tests.surveys.conftest import DUE, make_due, put_survey, run_again


def surveys_in(messages: list[EmailMessage], kind: str = "first") -> list[EmailMessage]:
    return [m for m in messages if str(m["Message-ID"]).startswith(f"<survey-{kind}-")]


def received(smtp: SmtpServer) -> list[EmailMessage]:
    return [r.message for r in smtp.sink.mails]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link_of(message: EmailMessage) -> str:
    found = re.search(r"http://testserver\.local(/s/[A-Za-z0-9_-]+\?lang=\w\w)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


async def four_registered_two_came(register: Any, door: Any) -> list[dict[str, Any]]:
    people = [
        await register("Kari Nordmann", "kari@example.no", language="nn"),
        await register("Ola Nordmann", "ola@example.no", language="en"),
        await register("Åse Berg", "ase@example.no"),
        await register("Per Hansen", "per@example.no"),
    ]
    admit = await door()
    await admit(people[0])
    await admit(people[1])
    return people


async def test_survey_goes_once_to_those_checked_in_in_their_language(
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
    await four_registered_two_came(register, door)
    put = await put_survey(client, organiser_token)
    await run_jobs()
    early = surveys_in(received(smtp))

    clock.now = DUE
    await make_due(conn)
    await run_jobs()
    await run_again(conn)  # a worker restarted after the fan-out committed
    await run_jobs()
    clock.now = DUE.replace(year=DUE.year - 1)  # the clock jumps back, and the fan-out runs again
    await run_again(conn)
    await run_jobs()

    mails = surveys_in(received(smtp))
    assert put.status_code == 200, put.text
    assert early == []
    assert sorted((str(m["To"]), str(m["Subject"])) for m in mails) == [
        ("Kari Nordmann <kari@example.no>", "Korleis var Kunnskapskommunekonferansen 2027?"),
        ("Ola Nordmann <ola@example.no>", "How was The Knowledge Municipality Conference 2027?"),
    ]
    assert sorted(link_of(m)[-8:] for m in mails) == ["?lang=en", "?lang=nn"]
    rows = await conn.fetch("SELECT sent_at IS NOT NULL AS sent, answered FROM survey_invitations")
    assert [tuple(r) for r in rows] == [(True, False), (True, False)]


async def test_reminder_after_three_days_only_to_those_who_have_not_answered(
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
    await four_registered_two_came(register, door)
    await put_survey(client, organiser_token)
    clock.now = DUE
    await make_due(conn)
    await run_jobs()
    kari = next(m for m in surveys_in(received(smtp)) if "kari@" in str(m["To"]))
    answered = await client.post(link_of(kari), data={next(iter(await _fields(client, link_of(kari)))): "4"})
    await make_due(conn, "event.survey_reminder")
    await run_jobs()  # before its time: nothing
    before = surveys_in(received(smtp), "reminder")

    clock.advance(days=3)
    await make_due(conn, "event.survey_reminder")
    await run_jobs()
    await run_again(conn, "event.survey_reminder")
    await run_jobs()

    reminders = surveys_in(received(smtp), "reminder")
    assert answered.status_code == 200, answered.text
    assert before == []
    assert [(str(m["To"]), str(m["Subject"])) for m in reminders] == [
        ("Ola Nordmann <ola@example.no>", "Reminder: how was The Knowledge Municipality Conference 2027?")
    ]
    rate = await response_rate(conn, UUID(event["id"]))
    assert (rate.sent, rate.answered, rate.rate) == (2, 1, 0.5)
    first_to_ola = next(m for m in surveys_in(received(smtp)) if "ola@" in str(m["To"]))
    assert link_of(reminders[0]) == link_of(first_to_ola)


async def test_people_checked_in_after_the_survey_went_get_it_with_the_reminder_run(
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
    kari = await register("Kari Nordmann", "kari@example.no", language="nn")
    ola = await register("Ola Nordmann", "ola@example.no", language="en")
    ase = await register("Åse Berg", "ase@example.no")
    admit = await door()
    await admit(kari)
    await admit(ola)
    await put_survey(client, organiser_token)
    clock.now = DUE
    await make_due(conn)
    await run_jobs()
    await admit(ase)  # a door that was offline uploads its scan of Åse after the survey went

    clock.advance(days=3)
    await make_due(conn, "event.survey_reminder")
    await run_jobs()
    await run_again(conn, "event.survey_reminder")
    await run_jobs()

    firsts = sorted(str(m["To"]) for m in surveys_in(received(smtp)))
    reminders = sorted(str(m["To"]) for m in surveys_in(received(smtp), "reminder"))
    assert firsts == [
        "Kari Nordmann <kari@example.no>",
        "Ola Nordmann <ola@example.no>",
        "Åse Berg <ase@example.no>",
    ]
    assert reminders == ["Kari Nordmann <kari@example.no>", "Ola Nordmann <ola@example.no>"]
    rate = await response_rate(conn, UUID(event["id"]))
    assert (rate.sent, rate.answered) == (3, 0)


async def _fields(client: Client, link: str) -> list[str]:
    """The names of the answer form's rating fields, in order."""
    page = (await client.get(link)).text
    return list(dict.fromkeys(re.findall(r'name="(q_[0-9a-f-]{36})" value="3"', page)))
