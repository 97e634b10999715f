"""The survey in the console: built through its forms, results as charts with tables from five answers, the
CSV export (audited, refused under five), and a series' dates compared side by side."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import asyncpg

from tests.conftest import T0, Client, MakeEvent, RunJobs, auth
from tests.console.conftest import HTML, PostForm, sign_in
from tests.smtp import SmtpServer
from tests.surveys.conftest import DUE, make_due, put_survey
from tests.surveys.test_answers import fields_of
from tests.surveys.test_delivery import link_of, received, surveys_in

PAGE = "/console/events/kk/survey"


async def test_organiser_builds_the_survey_in_the_console(
    event: Any, signed_in: Client, post_form: PostForm, conn: asyncpg.Connection, organiser_token: str
) -> None:
    empty = await signed_in.get(PAGE, headers=HTML)

    rating = await post_form(
        PAGE,
        f"{PAGE}/questions",
        {"label_nb": "Hvor nyttig var dagen?", "label_nn": "Kor nyttig var dagen?", "question_kind": "rating"},
    )
    choice = await post_form(
        PAGE,
        f"{PAGE}/questions",
        {
            "label_nb": "Beste økt?",
            "question_kind": "choice",
            "choices_nb": "Velferdsteknologi\nInnovasjon",
            "choices_en": "Welfare technology\nInnovation",
        },
    )
    no_text = await post_form(PAGE, f"{PAGE}/questions", {"label_nb": " ", "question_kind": "text"})
    one_choice = await post_form(
        PAGE, f"{PAGE}/questions", {"label_nb": "Ja?", "question_kind": "choice", "choices_nb": "Ja"}
    )
    later = await post_form(PAGE, f"{PAGE}/settings", {"hours": "48"})
    bad_hours = await post_form(PAGE, f"{PAGE}/settings", {"hours": "to"})
    removed = await post_form(PAGE, f"{PAGE}/questions/0/delete", {})

    survey = (await signed_in.get("/api/v1/events/kk/survey", headers=auth(organiser_token))).json()
    assert "This event has no survey yet" not in empty.text
    assert "Arrangementet har ingen undersøkelse ennå." in empty.text
    assert [r.status_code for r in (rating, choice, later, removed)] == [303, 303, 303, 303]
    assert (no_text.status_code, 'id="label_nb-error"' in no_text.text) == (422, True)
    assert (one_choice.status_code, 'id="choices_nb-error"' in one_choice.text) == (422, True)
    assert (bad_hours.status_code, 'id="hours-error"' in bad_hours.text) == (422, True)
    assert survey["send_after"] == "P2D"
    assert [(q["kind"], q["text"], q["choices"]) for q in survey["questions"]] == [
        (
            "choice",
            {"nb": "Beste økt?"},
            [{"nb": "Velferdsteknologi", "en": "Welfare technology"}, {"nb": "Innovasjon", "en": "Innovation"}],
        )
    ]
    assert survey["events"][0]["sends_at"] == (T0 + timedelta(hours=3 + 48)).isoformat().replace("+00:00", "Z")


async def came(count: int, slug: str, *, register: Any, door: Any) -> set[str]:
    """`count` people registered for `slug` and checked in; their addresses."""
    admit = await door(slug)
    for n in range(count):
        await admit(await register(f"Deltakar {n}", f"{slug}-{n}@example.no", slug=slug))
    return {f"{slug}-{n}@example.no" for n in range(count)}


async def answer(addresses: set[str], *, smtp: SmtpServer, client: Client) -> None:
    """Those of `addresses` who got the survey answer it: rating 1, 2, 3, … (wrapping at 5), the first choice, a
    text."""
    links = [link_of(m) for m in surveys_in(received(smtp)) if str(m["To"]).split("<")[1][:-1] in addresses]
    for n, link in enumerate(links):
        fields = fields_of((await client.get(link)).text)
        await client.post(
            link, data={fields["rating"]: str(n % 5 + 1), fields["choice"]: "0", fields["text"]: f"Tekst {n}"}
        )


async def answered_by(
    count: int,
    *,
    register: Any,
    door: Any,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    client: Client,
    clock: Any,
) -> None:
    """`count` people came to kk, the survey went out, and they answered."""
    addresses = await came(count, "kk", register=register, door=door)
    clock.now = DUE
    await make_due(conn)
    await run_jobs()
    await answer(addresses, smtp=smtp, client=client)


async def test_results_are_hidden_and_the_csv_refused_under_five_answers(
    event: Any,
    signed_in: Client,
    organiser_token: str,
    register: Any,
    door: Any,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
) -> None:
    await put_survey(signed_in, organiser_token)
    await answered_by(
        4, register=register, door=door, conn=conn, run_jobs=run_jobs, smtp=smtp, client=signed_in, clock=clock
    )

    page = await signed_in.get(f"{PAGE}/results", headers=HTML)
    download = await signed_in.get(f"{PAGE}/answers.csv", headers=HTML, follow_redirects=False)

    assert page.status_code == 200
    assert "4 svar så langt; resultatene vises fra 5." in page.text
    assert "<svg" not in page.text
    assert "Tekst 0" not in page.text
    assert (download.status_code, download.headers.get("location")) == (303, f"{PAGE}/results?notice=too_few")
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'survey.exported'") == 0


async def test_results_from_five_answers_as_charts_with_tables_and_the_csv_audited(
    event: Any,
    signed_in: Client,
    organiser_token: str,
    register: Any,
    door: Any,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
) -> None:
    await put_survey(signed_in, organiser_token)
    await answered_by(
        5, register=register, door=door, conn=conn, run_jobs=run_jobs, smtp=smtp, client=signed_in, clock=clock
    )

    page = await signed_in.get(f"{PAGE}/results", headers=HTML)
    download = await signed_in.get(f"{PAGE}/answers.csv", headers=HTML)

    assert page.status_code == 200
    assert page.text.count("<svg") == 3  # the rating, the choice and the several-choices question
    rating_table = re.search(r"<caption id=\"chart-0-all-caption\">.*?</table>", page.text, re.S)
    assert rating_table
    assert re.findall(r"<tr><th scope=\"row\">(\d)</th><td>(\d+)</td></tr>", rating_table[0]) == [
        ("1", "1"),
        ("2", "1"),
        ("3", "1"),
        ("4", "1"),
        ("5", "1"),
    ]
    assert "Gjennomsnitt 3.0 av 5 svar" in page.text
    assert [f"<li>Tekst {n}</li>" in page.text for n in range(5)] == [True] * 5
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert download.status_code == 200
    assert lines[0] == [
        "event",
        "Hvor nyttig var dagen?",
        "Hvilken økt likte du best?",
        "Hva vil du høre mer om?",
        "Hva kan vi gjøre bedre?",
    ]
    assert sorted(line[1] for line in lines[1:]) == ["1", "2", "3", "4", "5"]
    assert {line[2] for line in lines[1:]} == {"Velferdsteknologi"}
    audited = await conn.fetch("SELECT actor, data FROM audit_log WHERE action = 'survey.exported'")
    assert [(r["actor"].startswith("user:"), r["data"]) for r in audited] == [(True, {"rows": 5, "format": "csv"})]


async def test_series_dates_share_a_survey_and_compare_side_by_side(
    organiser: Any,
    make_event: MakeEvent,
    event_times: dict[str, str],
    signed_in: Client,
    organiser_token: str,
    register: Any,
    door: Any,
    conn: asyncpg.Connection,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    clock: Any,
) -> None:
    await make_event(slug="kk", series="verkstad", kind="workshop", **event_times)
    later = {
        name: (
            T0 + timedelta(days=1) + (timedelta(hours=1) if name == "starts_at" else timedelta(hours=3))
            if name in ("starts_at", "ends_at")
            else value
        )
        for name, value in event_times.items()
    }
    await make_event(
        slug="kk-september",
        series="verkstad",
        kind="workshop",
        **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in later.items()},
    )
    shared = await put_survey(signed_in, organiser_token, shared_with_series=True)
    june = await came(5, "kk", register=register, door=door)
    september = await came(5, "kk-september", register=register, door=door)
    for due in (DUE, DUE + timedelta(days=1)):
        clock.now = due
        await make_due(conn)
        await run_jobs()
    await answer(june | september, smtp=smtp, client=signed_in)
    await sign_in(signed_in, organiser.email)  # a day later: the console session has run out

    read = (await signed_in.get("/api/v1/events/kk-september/survey", headers=auth(organiser_token))).json()
    page = await signed_in.get(f"{PAGE}/results", headers=HTML)

    assert shared.status_code == 200, shared.text
    assert [(e["slug"], e["sent"], e["answered"]) for e in read["events"]] == [
        ("kk", 5, 5),
        ("kk-september", 5, 5),
    ]
    assert read["id"] == shared.json()["id"]
    assert page.text.count("<svg") == 3 * 3  # each date and both together, for three questions
    assert "Alle datoene" in page.text


async def test_organiser_shares_the_survey_with_the_series_in_the_console_and_takes_it_back(
    make_event: MakeEvent, event_times: dict[str, str], signed_in: Client, post_form: PostForm, organiser_token: str
) -> None:
    await make_event(slug="kk", series="verkstad", kind="workshop", **event_times)
    await make_event(slug="kk-september", series="verkstad", kind="workshop", **event_times)
    await post_form(PAGE, f"{PAGE}/questions", {"label_nb": "Hvor nyttig var dagen?", "question_kind": "rating"})

    shared = await post_form(PAGE, f"{PAGE}/settings", {"hours": "2", "shared_with_series": "yes"})
    september = (await signed_in.get("/api/v1/events/kk-september/survey", headers=auth(organiser_token))).json()
    apart = await post_form(PAGE, f"{PAGE}/settings", {"hours": "2"})
    june = (await signed_in.get("/api/v1/events/kk/survey", headers=auth(organiser_token))).json()
    september_after = (await signed_in.get("/api/v1/events/kk-september/survey", headers=auth(organiser_token))).json()

    assert (shared.status_code, apart.status_code) == (303, 303)
    assert [e["slug"] for e in september["events"]] == ["kk", "kk-september"]
    assert [e["slug"] for e in june["events"]] == ["kk"]
    assert [e["slug"] for e in september_after["events"]] == ["kk-september"]
    assert [q["text"] for q in june["questions"]] == [{"nb": "Hvor nyttig var dagen?"}]
