"""The programme editor: sessions in time order, add and edit in three languages with speakers, a
confirmation saying how many get an updated invite before a calendar change, cancel after a warning; bad
input shows the form again with the field's error and changes nothing."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.conftest import Client, MakeEvent
from tests.console.conftest import HTML, PostForm
from tests.programme.helpers import add_session, attendee, session_body
from tests.web.html import Page

PROGRAMME = "/console/events/kk/programme"
NEW = {
    "kind": "parallel",
    "title_nb": "Læring i kommunen",
    "title_nn": "Læring i kommunen (nynorsk)",
    "title_en": "Learning in the municipality",
    "abstract_nb": "Om å dele kunnskap.",
    "abstract_nn": "",
    "abstract_en": "",
    "starts_at": "2027-06-10T10:00",
    "ends_at": "2027-06-10T11:00",
    "room": "Auditorium Åsane",
    "track": "Helse",
    "capacity": "30",
    "speaker_0_name": "Åse Ødegård",
    "speaker_0_organisation": "Bergen kommune",
    "speaker_0_bio": "Rådgiver.",
    "speaker_1_name": "",
    "speaker_1_organisation": "",
    "speaker_1_bio": "",
}


@pytest.fixture
async def kk(make_event: MakeEvent) -> dict[str, Any]:
    return await make_event(slug="kk")


async def stored_sessions(conn: Any) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT id, kind, title, room, track, capacity, speakers, status, sequence, starts_at FROM sessions"
        " ORDER BY starts_at, room"
    )
    return [dict(row) for row in rows]


async def test_add_a_session_in_three_languages_with_speakers(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], conn: asyncpg.Connection
) -> None:
    response = await post_form(f"{PROGRAMME}/new", f"{PROGRAMME}/new", NEW)
    listed = Page((await signed_in.get(PROGRAMME, headers=HTML)).text)

    assert (response.status_code, response.headers["location"]) == (303, f"{PROGRAMME}?notice=added")
    stored = await stored_sessions(conn)
    assert [(s["kind"], s["title"], s["room"], s["track"], s["capacity"], s["speakers"]) for s in stored] == [
        (
            "parallel",
            {"nb": "Læring i kommunen", "nn": "Læring i kommunen (nynorsk)", "en": "Learning in the municipality"},
            "Auditorium Åsane",
            "Helse",
            30,
            [{"name": "Åse Ødegård", "organisation": "Bergen kommune", "bio": "Rådgiver."}],
        )
    ]
    assert stored[0]["starts_at"].isoformat() == "2027-06-10T08:00:00+00:00"
    assert listed.texts("h2") == ["torsdag 10. juni 2027", "Rom i bruk"]
    assert listed.texts("h3") == ["Rom: Auditorium Åsane"]
    assert listed.texts("td") == [
        "10:00–11:00",
        "Parallellsesjon",
        "Helse",
        "Åse Ødegård",
        "0 / 30",
        "Endre: Læring i kommunen Avlys sesjonen: Læring i kommunen",
    ]
    assert listed.texts("li.room") == ["Auditorium Åsane"]
    assert [a.text for a in listed.all("a") if a.attrs["href"] == "/events/kk/programme?lang=nb"] == [
        "Forhåndsvis det offentlige programmet"
    ]


async def test_sessions_are_listed_in_time_order(signed_in: Client, kk: dict[str, Any], organiser_token: str) -> None:
    await add_session(signed_in, organiser_token, **session_body("Ettermiddag", "14:00", "15:00"))
    await add_session(signed_in, organiser_token, **session_body("Åpning", "09:00", "09:30", kind="plenary"))

    page = Page((await signed_in.get(PROGRAMME, headers=HTML)).text)

    assert page.texts("th.session-title") == ["Åpning", "Ettermiddag"]


async def test_sessions_are_grouped_by_day_then_room_with_times_only(
    signed_in: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk", starts_at="2027-06-10T09:00:00+02:00", ends_at="2027-06-11T16:00:00+02:00")
    for title, day, start, end, room in (
        ("Dag to", "11", "09:00", "10:00", "Aula"),
        ("Lunsj", "10", "12:00", "12:30", ""),
        ("Parallell B", "10", "10:00", "11:00", "Rom 2"),
        ("Åpning", "10", "09:00", "09:30", "Aula"),
        ("Avslutning", "10", "15:00", "15:30", "Aula"),
    ):
        body = session_body(title, start, end, room=room, kind="plenary" if room != "Rom 2" else "parallel")
        body["starts_at"] = body["starts_at"].replace("2027-06-10", f"2027-06-{day}")
        body["ends_at"] = body["ends_at"].replace("2027-06-10", f"2027-06-{day}")
        await add_session(signed_in, organiser_token, **body)

    page = Page((await signed_in.get(PROGRAMME + "?lang=en", headers=HTML)).text)

    assert page.texts("h2") == ["Thursday 10 June 2027", "Friday 11 June 2027", "Rooms in use"]
    assert page.texts("h3") == ["Room: Aula", "Room: Rom 2", "Without a room", "Room: Aula"]
    assert page.texts("th.session-title") == ["Åpning", "Avslutning", "Parallell B", "Lunsj", "Dag to"]
    assert page.texts("td.time") == ["09:00–09:30", "15:00–15:30", "10:00–11:00", "12:00–12:30", "09:00–10:00"]
    buttons = [(a.attrs["data-color"], a.attrs["data-variant"]) for a in page.all("a.cancel-session")]
    assert buttons == [("danger", "secondary")] * 5


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title_nb": ""}, "title_nb", "Fyll ut dette."),
        ({"starts_at": "snart"}, "starts_at", "Skriv dato og klokkeslett, for eksempel 10.06.2027 09:00."),
        ({"ends_at": "2027-06-10T09:00"}, "ends_at", "Dette må være etter tidspunktet før."),
        (
            {"starts_at": "2027-06-09T10:00", "ends_at": "2027-06-09T11:00"},
            "starts_at",
            "Sesjonen må være på dagen (eller dagene) arrangementet er.",
        ),
        ({"capacity": "tretti"}, "capacity", "Skriv et helt tall, 0 eller mer."),
        ({"room": "Rom; 1"}, "room", "Sjekk hva du skrev her."),
        ({"speaker_0_name": ""}, "speaker_0_name", "En foredragsholder må ha et navn."),
    ],
)
async def test_bad_input_shows_the_form_again_and_saves_nothing(
    signed_in: Client,
    post_form: PostForm,
    kk: dict[str, Any],
    conn: asyncpg.Connection,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = await post_form(f"{PROGRAMME}/new", f"{PROGRAMME}/new", {**NEW, **change})

    page = Page(response.text)
    assert response.status_code == 422
    assert page.one(f"#{field}").attrs["aria-invalid"] == "true"
    assert page.one(f"#{field}-error").text == message
    assert page.one("#title_en").attrs["value"] == "Learning in the municipality"
    assert await stored_sessions(conn) == []


async def test_a_change_an_attendee_sees_in_the_calendar_is_confirmed_first_with_how_many(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], organiser_token: str, conn: asyncpg.Connection
) -> None:
    session = await add_session(signed_in, organiser_token, **session_body("Læring", "10:00", "11:00"))
    other = await add_session(signed_in, organiser_token, **session_body("Annet", "10:00", "11:00", room="Rom 2"))
    for n, chosen in ((1, session), (2, session), (3, other)):
        answer = await signed_in.post("/api/v1/events/kk/registrations", json=attendee(n, sessions=[chosen["id"]]))
        assert answer.status_code == 201, answer.text
    edit = f"{PROGRAMME}/{session['id']}"
    values = {**NEW, "title_nn": "", "title_en": "", "title_nb": "Læring", "capacity": "", "room": "Rom 9"}

    asked = await post_form(edit, edit, values)
    unchanged = await stored_sessions(conn)
    page = Page(asked.text)
    hidden = {
        field.attrs["name"]: field.attrs["value"] for field in page.all("input") if field.attrs.get("type") == "hidden"
    }
    saved = await signed_in.post(edit, data=hidden, headers=HTML, follow_redirects=False)

    assert asked.status_code == 200
    assert page.one("#affected").text == (
        "Denne endringen står i deltakernes kalendere: 2 personer får en oppdatert invitasjon på e-post."
    )
    assert [(s["room"], s["sequence"]) for s in unchanged] == [("Rom 1", 0), ("Rom 2", 0)]
    changed = next(s for s in await stored_sessions(conn) if s["room"] == "Rom 9")
    assert (saved.status_code, saved.headers["location"]) == (
        303,
        f"{PROGRAMME}?notice=saved&calendar={changed['id']}&revision=1",
    )
    assert [(s["room"], s["sequence"]) for s in await stored_sessions(conn)] == [("Rom 2", 0), ("Rom 9", 1)]


async def test_a_plenary_change_counts_everyone_confirmed(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], organiser_token: str
) -> None:
    plenary = await add_session(signed_in, organiser_token, **session_body("Åpning", "09:00", "09:30", kind="plenary"))
    for n in (1, 2, 3):
        await signed_in.post("/api/v1/events/kk/registrations", json=attendee(n))
    edit = f"{PROGRAMME}/{plenary['id']}"
    values = {
        **NEW,
        "kind": "plenary",
        "title_nb": "Åpning",
        "title_nn": "",
        "title_en": "",
        "capacity": "",
        "starts_at": "2027-06-10T09:15",
        "ends_at": "2027-06-10T09:45",
        "room": "Rom 1",
    }

    asked = Page((await post_form(edit, edit, values)).text)

    assert asked.one("#affected").text.endswith("3 personer får en oppdatert invitasjon på e-post.")


async def test_adding_a_plenary_is_confirmed_first_with_how_many(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], conn: asyncpg.Connection
) -> None:
    for n in (1, 2, 3):
        assert (await signed_in.post("/api/v1/events/kk/registrations", json=attendee(n))).status_code == 201
    plenary = {**NEW, "kind": "plenary", "capacity": "", "title_nb": "Opning"}

    asked = await post_form(f"{PROGRAMME}/new", f"{PROGRAMME}/new", plenary)
    nothing_yet = await stored_sessions(conn)
    page = Page(asked.text)
    hidden = {
        field.attrs["name"]: field.attrs["value"] for field in page.all("input") if field.attrs.get("type") == "hidden"
    }
    added = await signed_in.post(f"{PROGRAMME}/new", data=hidden, headers=HTML, follow_redirects=False)

    assert asked.status_code == 200
    assert page.one("#affected").text == (
        "En plenumsesjon står i kalenderen til alle deltakerne: 3 personer får en invitasjon på e-post."
    )
    assert nothing_yet == []
    [opening] = await stored_sessions(conn)
    assert (added.status_code, added.headers["location"]) == (
        303,
        f"{PROGRAMME}?notice=added&calendar={opening['id']}&revision=0",
    )
    assert [(s["kind"], s["title"]["nb"]) for s in await stored_sessions(conn)] == [("plenary", "Opning")]


async def test_a_change_no_calendar_shows_is_saved_at_once(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], organiser_token: str, conn: asyncpg.Connection
) -> None:
    session = await add_session(signed_in, organiser_token, **session_body("Læring", "10:00", "11:00"))
    edit = f"{PROGRAMME}/{session['id']}"
    values = {**NEW, "title_nb": "Læring", "title_nn": "", "title_en": "", "room": "Rom 1", "track": "Skole"}

    saved = await post_form(edit, edit, values)

    assert (saved.status_code, saved.headers["location"]) == (303, f"{PROGRAMME}?notice=saved")
    assert [(s["track"], s["sequence"], s["speakers"]) for s in await stored_sessions(conn)] == [
        ("Skole", 0, [{"name": "Åse Ødegård", "organisation": "Bergen kommune", "bio": "Rådgiver."}])
    ]


async def test_the_edit_form_shows_the_session(signed_in: Client, kk: dict[str, Any], organiser_token: str) -> None:
    speakers = [{"name": "Bjørn Æsøy", "organisation": "UiB", "bio": ""}]
    session = await add_session(
        signed_in, organiser_token, **session_body("Læring", "10:00", "11:00", speakers=speakers, capacity=5)
    )

    page = Page((await signed_in.get(f"{PROGRAMME}/{session['id']}", headers=HTML)).text)

    assert [
        page.one(f"#{name}").attrs["value"] for name in ("title_nb", "starts_at", "ends_at", "room", "capacity")
    ] == [
        "Læring",
        "2027-06-10T10:00",
        "2027-06-10T11:00",
        "Rom 1",
        "5",
    ]
    assert [page.one(f"#speaker_{row}_name").attrs["value"] for row in range(3)] == ["Bjørn Æsøy", "", ""]
    assert page.one("#kind-parallel").attrs.get("checked") == ""


async def test_cancel_after_a_warning_saying_how_many(
    signed_in: Client, post_form: PostForm, kk: dict[str, Any], organiser_token: str, conn: asyncpg.Connection
) -> None:
    session = await add_session(signed_in, organiser_token, **session_body("Læring", "10:00", "11:00"))
    await signed_in.post("/api/v1/events/kk/registrations", json=attendee(1, sessions=[session["id"]]))
    cancel = f"{PROGRAMME}/{session['id']}/cancel"

    warning = Page((await signed_in.get(cancel, headers=HTML)).text)
    done = await post_form(cancel, cancel, {})

    assert warning.one("#affected").text == "1 person får en avlysning til kalenderen sin på e-post."
    assert (done.status_code, done.headers["location"]) == (
        303,
        f"{PROGRAMME}?notice=cancelled&calendar={session['id']}&revision=1",
    )
    assert [(s["status"], s["sequence"]) for s in await stored_sessions(conn)] == [("cancelled", 1)]


async def test_a_session_of_another_event_is_not_found(
    signed_in: Client, kk: dict[str, Any], make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="annet")
    session = await add_session(signed_in, organiser_token, slug="annet", **session_body("Læring", "10:00", "11:00"))

    response = await signed_in.get(f"{PROGRAMME}/{session['id']}", headers=HTML)

    assert response.status_code == 404


async def test_a_form_without_its_csrf_token_is_refused(
    signed_in: Client, kk: dict[str, Any], conn: asyncpg.Connection
) -> None:
    response = await signed_in.post(f"{PROGRAMME}/new", data=NEW, headers=HTML, follow_redirects=False)

    assert response.status_code == 403
    assert await stored_sessions(conn) == []
