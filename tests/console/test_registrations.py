"""The registrations table (search, filters, sorting, keyset pages), exports of the current filter, a
person's detail (answers, history, mails), and the organiser's moves."""

from __future__ import annotations

import csv
import io
import re
import threading
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
import httpx
import pytest
from openpyxl import load_workbook

from service import spreadsheet
from service.accounts.domain import issue_token
from service.programme.domain import choose_sessions
from service.registrations import listing
from service.registrations.schemas import RegistrationFilter
from tests.conftest import T0, Client, MakeEvent, RunJobs, auth
from tests.console.conftest import HTML, PostForm
from tests.programme.helpers import add_session, session_body
from tests.web.html import Page

PEOPLE = [
    ("Åse Ødegård", "ase@uib.no", "Universitetet i Bergen", "researcher"),
    ("Bjørn Berg", "bjorn@bergen.kommune.no", "Bergen kommune", "municipal_employee"),
    ("Cecilie Dahl", "cecilie@hvl.no", "Høgskulen på Vestlandet", "student"),
    ("Dag Æsøy", "dag@example.no", '=HYPERLINK("x")', None),
]


async def register_people(client: Client, slug: str = "kk") -> list[str]:
    ids = []
    for name, email, organisation, role in PEOPLE:
        answer = await client.post(
            f"/api/v1/events/{slug}/registrations",
            json={"name": name, "email": email, "organisation": organisation, "role": role, "accept_privacy": True},
        )
        ids.append(answer.json()["id"])
    return ids


def rows(response: httpx.Response) -> list[Page]:
    """The table's body rows, each parsed on its own."""
    body = response.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in response.text else ""
    return [Page(chunk) for chunk in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def names(response: httpx.Response) -> list[str]:
    return [row.one("th").text for row in rows(response)]


def statuses(response: httpx.Response) -> list[str]:
    return [row.texts("td")[3] for row in rows(response)]


async def test_table_lists_everyone_in_order_with_waiting_list_places(
    signed_in: Client, make_event: MakeEvent, client: Client
) -> None:
    await make_event(slug="kk", capacity=2)
    await register_people(client)

    response = await signed_in.get("/console/events/kk/registrations", headers=HTML)

    assert names(response) == ["Åse Ødegård", "Bjørn Berg", "Cecilie Dahl", "Dag Æsøy"]
    assert statuses(response) == ["Bekreftet", "Bekreftet", "Venteliste, plass 1", "Venteliste, plass 2"]
    assert Page(response.text).one("#result-count").text.startswith("4 påmeldinger passer.")


async def test_search_filters_and_sorting_combine(signed_in: Client, make_event: MakeEvent, client: Client) -> None:
    await make_event(slug="kk", capacity=2)
    await register_people(client)
    base = "/console/events/kk/registrations"

    by_text = await signed_in.get(f"{base}?q=BERGEN", headers=HTML)
    by_status = await signed_in.get(f"{base}?status=waitlisted", headers=HTML)
    by_role = await signed_in.get(f"{base}?role=student", headers=HTML)
    by_name = await signed_in.get(f"{base}?sort=-name", headers=HTML)
    nonsense = await signed_in.get(f"{base}?status=nope&sort=evil&role=x&after=garbage", headers=HTML)

    assert names(by_text) == ["Åse Ødegård", "Bjørn Berg"]
    assert (names(by_status), statuses(by_status)) == (
        ["Cecilie Dahl", "Dag Æsøy"],
        ["Venteliste, plass 1", "Venteliste, plass 2"],
    )
    assert names(by_role) == ["Cecilie Dahl"]
    assert names(by_name) == ["Åse Ødegård", "Dag Æsøy", "Cecilie Dahl", "Bjørn Berg"]
    assert names(nonsense) == ["Åse Ødegård", "Bjørn Berg", "Cecilie Dahl", "Dag Æsøy"]


async def test_pages_walk_forwards_and_back_by_keyset(
    signed_in: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=200)
    event_id = await conn.fetchval("SELECT id FROM events WHERE slug = 'kk'")
    await conn.execute(
        """INSERT INTO registrations (event_id, status, name, email, email_norm, privacy_accepted_at)
           SELECT $1, 'confirmed', 'Person ' || lpad(n::text, 3, '0'), n || '@example.no', n || '@example.no', now()
             FROM generate_series(1, 120) n""",
        event_id,
    )
    base = "/console/events/kk/registrations?sort=name"

    first = await signed_in.get(base, headers=HTML)
    second = await signed_in.get(_link(first, "next", base), headers=HTML)
    third = await signed_in.get(_link(second, "next", base), headers=HTML)
    back = await signed_in.get(_link(third, "prev", base), headers=HTML)

    assert (names(first)[0], names(first)[-1]) == ("Person 001", "Person 050")
    assert (names(second)[0], names(second)[-1]) == ("Person 051", "Person 100")
    assert (names(third)[0], names(third)[-1], _has(third, "next")) == ("Person 101", "Person 120", False)
    assert names(back) == names(second)
    assert _has(first, "prev") is False


async def test_waiting_list_places_on_any_page_in_any_order_are_the_whole_lists(
    make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=200)
    event_id = await conn.fetchval("SELECT id FROM events WHERE slug = 'kk'")
    # 30 confirmed, then 90 on the waiting list; names run backwards, so the name order mixes the list up; every
    # fifth is a student, and a filter by role must not renumber the places.
    await conn.execute(
        """INSERT INTO registrations (event_id, status, name, email, email_norm, role, privacy_accepted_at)
           SELECT $1, CASE WHEN n <= 30 THEN 'confirmed' ELSE 'waitlisted' END,
                  'Person ' || lpad((200 - n)::text, 3, '0'), n || '@example.no', n || '@example.no',
                  CASE WHEN n % 5 = 0 THEN 'student' END, now()
             FROM generate_series(1, 120) n""",
        event_id,
    )
    await conn.execute("DELETE FROM registrations WHERE email IN ('40@example.no', '41@example.no')")
    expected = {
        row["id"]: row["place"]
        for row in await conn.fetch(
            "SELECT id, row_number() OVER (ORDER BY queue_seq) AS place FROM registrations"
            " WHERE event_id = $1 AND status = 'waitlisted'",
            event_id,
        )
    }

    for chosen in (RegistrationFilter(), RegistrationFilter(sort="-name"), RegistrationFilter(role="student")):
        shown: dict[UUID, int | None] = {}
        after = None
        while True:
            rows, _, more, _ = await listing.registrations_page(conn, event_id, chosen, after=after, limit=7)
            shown |= {row.id: row.waitlist_position for row in rows}
            if not more:
                break
            after = listing.encode_cursor(rows[-1], chosen.sort)
        assert {k: v for k, v in shown.items() if v is not None} == {k: v for k, v in expected.items() if k in shown}
        assert all(shown[k] is None for k in shown if k not in expected)


def _links(response: httpx.Response) -> dict[str, str]:
    return {a.attrs["rel"]: a.attrs["href"] for a in Page(response.text).all("a") if "rel" in a.attrs}


def _has(response: httpx.Response, rel: str) -> bool:
    return rel in _links(response)


def _link(response: httpx.Response, rel: str, base: str) -> str:
    return urlsplit(base).path + _links(response)[rel]


async def test_csv_export_is_the_current_filter_with_aeoeaa_intact_and_formulas_defused(
    signed_in: Client, make_event: MakeEvent, client: Client
) -> None:
    await make_event(slug="kk", capacity=2)
    await register_people(client)

    response = await signed_in.get("/console/events/kk/registrations.csv?status=waitlisted&lang=en")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="kk-registrations.csv"'
    assert [row[:6] for row in rows] == [
        ["Status", "Place on the waiting list", "Name", "E-mail", "Organisation", "Role"],
        ["On the waiting list", "1", "Cecilie Dahl", "cecilie@hvl.no", "Høgskulen på Vestlandet", "Student"],
        ["On the waiting list", "2", "Dag Æsøy", "dag@example.no", '\'=HYPERLINK("x")', ""],
    ]


async def test_csv_export_is_streamed_in_batches_each_row_once_in_order(
    signed_in: Client, make_event: MakeEvent, client: Client, monkeypatch: pytest.MonkeyPatch, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=1)
    await register_people(client)
    monkeypatch.setattr(listing, "EXPORT_BATCH", 1)  # every row its own batch

    response = await signed_in.get("/console/events/kk/registrations.csv?lang=en")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "content-length" not in response.headers  # streamed, not one body
    assert response.content.count("\ufeff".encode()) == 1
    assert [row[:3] for row in rows] == [
        ["Status", "Place on the waiting list", "Name"],
        ["Confirmed", "", "Åse Ødegård"],
        ["On the waiting list", "1", "Bjørn Berg"],
        ["On the waiting list", "2", "Cecilie Dahl"],
        ["On the waiting list", "3", "Dag Æsøy"],
    ]
    audited = await conn.fetchval("SELECT data FROM audit_log WHERE action = 'registrations.exported'")
    assert (audited["rows"], audited["format"]) == (4, "csv")


async def test_xlsx_export_opens_with_openpyxl(signed_in: Client, make_event: MakeEvent, client: Client) -> None:
    await make_event(slug="kk", capacity=10)
    await register_people(client)

    response = await signed_in.get("/console/events/kk/registrations.xlsx?q=%C3%B8")

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row][:4] for row in sheet.iter_rows()]
    assert values == [
        ["Status", "Plass på ventelisten", "Navn", "E-post"],
        ["Bekreftet", None, "Åse Ødegård", "ase@uib.no"],
        ["Bekreftet", None, "Bjørn Berg", "bjorn@bergen.kommune.no"],
        ["Bekreftet", None, "Cecilie Dahl", "cecilie@hvl.no"],
        ["Bekreftet", None, "Dag Æsøy", "dag@example.no"],
    ]


async def test_xlsx_export_is_written_in_batches_each_row_once_in_order(
    signed_in: Client, make_event: MakeEvent, client: Client, monkeypatch: pytest.MonkeyPatch, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=1)
    await register_people(client)
    monkeypatch.setattr(listing, "EXPORT_BATCH", 1)  # every row its own batch

    response = await signed_in.get("/console/events/kk/registrations.xlsx?sort=-created&lang=en")

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row][:5] for row in sheet.iter_rows()]
    assert (response.headers["content-length"], response.headers["content-disposition"]) == (
        str(len(response.content)),
        'attachment; filename="kk-registrations.xlsx"',
    )
    assert values == [
        ["Status", "Place on the waiting list", "Name", "E-mail", "Organisation"],
        ["On the waiting list", "3", "Dag Æsøy", "dag@example.no", '\'=HYPERLINK("x")'],
        ["On the waiting list", "2", "Cecilie Dahl", "cecilie@hvl.no", "Høgskulen på Vestlandet"],
        ["On the waiting list", "1", "Bjørn Berg", "bjorn@bergen.kommune.no", "Bergen kommune"],
        ["Confirmed", None, "Åse Ødegård", "ase@uib.no", "Universitetet i Bergen"],
    ]
    audited = await conn.fetchval("SELECT data FROM audit_log WHERE action = 'registrations.exported'")
    assert (audited["rows"], audited["format"]) == (4, "xlsx")


async def test_xlsx_is_written_and_zipped_off_the_event_loop(
    signed_in: Client, make_event: MakeEvent, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_event(slug="kk", capacity=10)
    await register_people(client)
    monkeypatch.setattr(listing, "EXPORT_BATCH", 2)
    threads: list[str] = []

    def recorded(method: Any) -> Any:
        def run(*args: Any) -> Any:
            threads.append(threading.current_thread().name)
            return method(*args)

        return run

    monkeypatch.setattr(spreadsheet.XlsxFile, "append", recorded(spreadsheet.XlsxFile.append))
    monkeypatch.setattr(spreadsheet.XlsxFile, "save", recorded(spreadsheet.XlsxFile.save))
    loop_thread = threading.current_thread().name

    response = await signed_in.get("/console/events/kk/registrations.xlsx")

    # The header, two batches of two, then the zip: none of them on the thread that answers other requests.
    assert response.status_code == 200
    assert len(threads) == 4
    assert loop_thread not in threads


async def test_detail_shows_answers_history_and_mails(
    signed_in: Client, make_event: MakeEvent, client: Client, conn: asyncpg.Connection, run_jobs: RunJobs
) -> None:
    await make_event(slug="kk")
    question = (
        await client.post(
            "/api/v1/events/kk/questions",
            json={"kind": "yes_no", "label": {"nb": "Trenger du parkering?"}},
            headers={"Authorization": "Bearer " + await _token(conn)},
        )
    ).json()
    answer = await client.post(
        "/api/v1/events/kk/registrations",
        json={"name": "Åse", "email": "ase@uib.no", "accept_privacy": True, "answers": {question["id"]: True}},
    )
    await run_jobs()

    response = await signed_in.get(f"/console/registrations/{answer.json()['id']}", headers=HTML)

    page = Page(response.text)
    facts = dict(zip(page.texts("dt"), page.texts("dd"), strict=True))
    assert facts["Trenger du parkering?"] == "Ja"
    assert facts["Status"] == "Bekreftet"
    assert [li.text for li in page.all("li") if "Påmeldt, bekreftet" in li.text or "Du er påmeldt" in li.text] == [
        "mandag 1. mars 2027 kl. 10:00: Påmeldt, bekreftet (public)",
        _sent_line(page),
    ]


def _sent_line(page: Page) -> str:
    """The confirmation mail, listed by its subject (kept with the registration: sent_mails)."""
    [line] = [
        li.text
        for li in page.all("li")
        if li.text.startswith("Du er påmeldt: Kunnskapskommunekonferansen 2027: sendt ")
    ]
    return line


async def _token(conn: asyncpg.Connection) -> str:
    user_id = await conn.fetchval("SELECT id FROM users WHERE email = 'kari@bergen.kommune.no'")
    return await issue_token(conn, user_id)


async def test_cancelling_moves_the_waiting_list_and_confirming_gives_a_seat(
    signed_in: Client, make_event: MakeEvent, client: Client, post_form: PostForm
) -> None:
    await make_event(slug="kk", capacity=1)
    ids = await register_people(client)

    cancelled = await post_form(f"/console/registrations/{ids[0]}", f"/console/registrations/{ids[0]}/cancel", {})
    confirmed = await post_form(f"/console/registrations/{ids[3]}", f"/console/registrations/{ids[3]}/confirm", {})
    table = await signed_in.get("/console/events/kk/registrations", headers=HTML)

    assert cancelled.headers["location"] == f"/console/registrations/{ids[0]}?notice=cancelled"
    assert confirmed.headers["location"] == f"/console/registrations/{ids[3]}?notice=confirmed"
    assert statuses(table) == ["Avmeldt", "Bekreftet", "Venteliste, plass 1", "Bekreftet"]


async def test_cancelling_twice_is_refused_and_changes_nothing(
    signed_in: Client, make_event: MakeEvent, client: Client, post_form: PostForm, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=1)
    ids = await register_people(client)
    await post_form(f"/console/registrations/{ids[0]}", f"/console/registrations/{ids[0]}/cancel", {})

    again = await post_form(f"/console/registrations/{ids[0]}", f"/console/registrations/{ids[0]}/cancel", {})

    assert again.status_code == 409
    assert "Påmeldingen er allerede avmeldt" in again.text
    assert await conn.fetchval("SELECT count(*) FROM registration_history WHERE action = 'registration.cancelled'") == 1


async def test_session_filter_narrows_the_table_and_its_export(
    signed_in: Client, make_event: MakeEvent, client: Client, conn: asyncpg.Connection, organiser_token: str
) -> None:
    await make_event(slug="kk", capacity=10)
    track = await add_session(client, organiser_token, **session_body("Spor A", "10:00", "11:00"))
    ids = await register_people(client)
    for registration_id in ids[1:3]:
        await choose_sessions(conn, UUID(registration_id), [UUID(track["id"])], actor="test", now=T0)
    base = "/console/events/kk/registrations"

    page = await signed_in.get(f"{base}?session={track['id']}", headers=HTML)
    exported = await signed_in.get(f"{base}.csv?session={track['id']}")
    garbled = await signed_in.get(f"{base}?session=not-a-uuid", headers=HTML)

    assert names(page) == ["Bjørn Berg", "Cecilie Dahl"]
    assert [row[2] for row in csv.reader(io.StringIO(exported.text.lstrip("\ufeff")))][1:] == [
        "Bjørn Berg",
        "Cecilie Dahl",
    ]
    assert names(garbled) == [person[0] for person in PEOPLE]


async def test_group_filter_shows_one_workshop_group(
    signed_in: Client, make_event: MakeEvent, client: Client, organiser_token: str
) -> None:
    await make_event(slug="kk", kind="workshop", capacity=10)
    headers = auth(organiser_token)
    for key, name in (("patient", "Pasient"), ("student", "Student")):
        await client.post(
            "/api/v1/events/kk/groups", json={"key": key, "name": {"nb": name}, "capacity": 2}, headers=headers
        )
    for name, email, wants in (
        ("Åse", "a@x.no", "patient"),
        ("Bjørn", "b@x.no", "student"),
        ("Cecilie", "c@x.no", "patient"),
    ):
        await client.post(
            "/api/v1/events/kk/registrations",
            json={"name": name, "email": email, "accept_privacy": True, "perspectives": [wants]},
        )
    await client.post("/api/v1/events/kk/groups/assign", headers=headers)
    groups = {g["key"]: g for g in (await client.get("/api/v1/events/kk/groups")).json()}

    page = await signed_in.get(f"/console/events/kk/registrations?group={groups['patient']['id']}", headers=HTML)

    assert names(page) == ["Åse", "Cecilie"]
