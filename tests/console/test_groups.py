"""Workshop groups in the console: add and edit groups, run the placement and see who got which choice, move
a person by hand (locked, kept by a new run), publish, group lists with CSV; bad input shows the form again
and changes nothing; an event that is not a workshop says so."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.conftest import Client, MakeEvent, RunJobs
from tests.console.conftest import HTML, PostForm
from tests.smtp import SmtpServer
from tests.web.html import Page

PAGE = "/console/events/ws/groups"
NEW_GROUP = {
    "key": "leader",
    "name_nb": "Leder",
    "name_nn": "Leiar",
    "name_en": "Manager",
    "perspective_nb": "Se det som leder.",
    "perspective_nn": "",
    "perspective_en": "",
    "capacity": "3",
}
GROUPS = (("patient", "Pasient"), ("employee", "Ansatt"))


@pytest.fixture
async def ws(make_event: Any, client: Any, post_form: Any, signed_in: Any) -> list[str]:
    """A workshop with two groups of two, and three confirmed participants with their rankings."""
    await make_event(slug="ws", kind="workshop", capacity=10)
    for key, name in GROUPS:
        added = await post_form(PAGE, PAGE, {**NEW_GROUP, "key": key, "name_nb": name, "capacity": "2"})
        assert added.status_code == 303, added.text
    people = []
    for name, email, ranking in (
        ("Åse", "ase@example.no", ["patient", "employee"]),
        ("Bjørn", "bjorn@example.no", ["patient", "employee"]),
        ("Cato", "cato@example.no", ["patient"]),
    ):
        answer = await client.post(
            "/api/v1/events/ws/registrations",
            json={"name": name, "email": email, "accept_privacy": True, "perspectives": ranking},
        )
        assert answer.status_code == 201, answer.text
        people.append(answer.json()["id"])
    return people


async def placements(conn: Any) -> list[tuple[str, str, bool]]:
    rows = await conn.fetch(
        "SELECT r.name, g.key, p.locked FROM group_placements p JOIN registrations r ON r.id = p.registration_id"
        " JOIN workshop_groups g ON g.id = p.group_id ORDER BY r.name"
    )
    return [tuple(row) for row in rows]


async def test_add_a_group_in_three_languages(
    signed_in: Client, ws: list[str], post_form: PostForm, conn: asyncpg.Connection
) -> None:
    response = await post_form(PAGE, PAGE, NEW_GROUP)

    row = await conn.fetchrow("SELECT name, perspective, capacity FROM workshop_groups WHERE key = 'leader'")
    assert (response.status_code, response.headers["location"]) == (303, f"{PAGE}?notice=added")
    assert tuple(row) == ({"nb": "Leder", "nn": "Leiar", "en": "Manager"}, {"nb": "Se det som leder."}, 3)


async def test_run_the_placement_and_see_who_got_which_choice(
    signed_in: Client, ws: list[str], post_form: PostForm, conn: asyncpg.Connection
) -> None:
    response = await post_form(PAGE, f"{PAGE}/assign", {})
    page = Page((await signed_in.get(PAGE, headers=HTML)).text)

    assert (response.status_code, response.headers["location"]) == (303, f"{PAGE}?notice=assigned")
    assert [group for _, group, _ in await placements(conn)].count("patient") == 2
    assert [li.text for li in page.all("li") if li.text.startswith(("Fikk valg", "Uten"))] == [
        "Fikk valg 1: 2",
        "Fikk valg 2: 1",
    ]
    assert page.one("#placement-state").text == "Plassert mandag 1. mars 2027 kl. 10:00."
    assert sorted(page.texts("th.member")) == ["Bjørn", "Cato", "Åse"]


async def test_move_a_person_by_hand_locks_them_and_a_new_run_keeps_it(
    signed_in: Client, ws: list[str], post_form: PostForm, conn: asyncpg.Connection
) -> None:
    await post_form(PAGE, f"{PAGE}/assign", {})
    cato = ws[2]

    moved = await post_form(PAGE, f"{PAGE}/move/{cato}", {"group": "employee"})
    await post_form(PAGE, f"{PAGE}/assign", {})

    assert (moved.status_code, moved.headers["location"]) == (303, f"{PAGE}?notice=moved")
    assert ("Cato", "employee", True) in await placements(conn)
    assert sorted(group for _, group, _ in await placements(conn)) == ["employee", "patient", "patient"]


async def test_moving_into_a_full_group_is_refused_on_the_page(
    signed_in: Client, ws: list[str], post_form: PostForm, conn: asyncpg.Connection
) -> None:
    await post_form(PAGE, f"{PAGE}/assign", {})
    ids = dict(zip(["Bjørn", "Cato", "Åse"], [ws[1], ws[2], ws[0]], strict=True))
    in_patient = [name for name, group, _ in await placements(conn) if group == "patient"]
    await post_form(PAGE, f"{PAGE}/move/{ids[in_patient[0]]}", {"group": "employee"})
    before = await placements(conn)

    refused = await post_form(PAGE, f"{PAGE}/move/{ids[in_patient[1]]}", {"group": "employee"})
    shown = Page((await signed_in.get(refused.headers["location"], headers=HTML)).text)

    assert refused.headers["location"] == f"{PAGE}?error=group_full"
    assert shown.one("#problem").text == "Gruppen er full"
    assert await placements(conn) == before


async def test_publish_tells_everyone_their_group(
    signed_in: Client, ws: list[str], post_form: PostForm, conn: asyncpg.Connection, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    refused = await post_form(PAGE, f"{PAGE}/publish", {})
    await post_form(PAGE, f"{PAGE}/assign", {})
    published = await post_form(PAGE, f"{PAGE}/publish", {})
    await run_jobs()

    assert refused.headers["location"] == f"{PAGE}?error=not_assigned"
    assert published.headers["location"] == f"{PAGE}?notice=published"
    assert await conn.fetchval("SELECT published_at IS NOT NULL FROM group_rounds") is True
    told = [received.message for received in smtp.sink.mails]
    assert sorted(mail["To"] for mail in told if mail["Subject"].startswith("Gruppen din")) == [
        "Bjørn <bjorn@example.no>",
        "Cato <cato@example.no>",
        "Åse <ase@example.no>",
    ]


async def test_the_group_lists_download_as_csv(signed_in: Client, ws: list[str], post_form: PostForm) -> None:
    await post_form(PAGE, f"{PAGE}/assign", {})
    page = Page((await signed_in.get(PAGE, headers=HTML)).text)
    link = [a.attrs["href"] for a in page.all("a") if "format=csv" in a.attrs.get("href", "")]

    download = await signed_in.get(link[0])

    assert link == ["/api/v1/events/ws/groups/lists?format=csv"]
    assert download.status_code == 200
    assert "Åse" in download.content.decode("utf-8-sig")


async def test_edit_a_group(signed_in: Client, ws: list[str], post_form: PostForm, conn: asyncpg.Connection) -> None:
    edit = f"{PAGE}/edit/patient"
    form = Page((await signed_in.get(edit, headers=HTML)).text)

    saved = await post_form(edit, edit, {**NEW_GROUP, "name_nb": "Pasient og bruker", "capacity": "4"})

    assert form.one("#name_nb").attrs["value"] == "Pasient"
    assert (saved.status_code, saved.headers["location"]) == (303, f"{PAGE}?notice=saved")
    row = await conn.fetchrow("SELECT name, capacity FROM workshop_groups WHERE key = 'patient'")
    assert tuple(row) == ({"nb": "Pasient og bruker", "nn": "Leiar", "en": "Manager"}, 4)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"key": ""}, "key", "Fyll ut dette."),
        ({"key": "Ikke Gyldig"}, "key", "Sjekk hva du skrev her."),
        ({"key": "patient"}, "key", "Workshopen har allerede en gruppe med denne nøkkelen"),
        ({"key": "assign"}, "key", "Denne nøkkelen kan ikke brukes for en gruppe"),
        ({"name_nb": ""}, "name_nb", "Fyll ut dette."),
        ({"capacity": "0"}, "capacity", "Sjekk hva du skrev her."),
        ({"capacity": "mange"}, "capacity", "Skriv et helt tall, 0 eller mer."),
    ],
)
async def test_bad_input_shows_the_form_again_and_saves_nothing(
    signed_in: Client,
    ws: list[str],
    post_form: PostForm,
    conn: asyncpg.Connection,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = await post_form(PAGE, PAGE, {**NEW_GROUP, **change})

    page = Page(response.text)
    assert response.status_code == 422
    assert page.one(f"#{field}").attrs["aria-invalid"] == "true"
    assert page.one(f"#{field}-error").text == message
    assert page.one("#name_nn").attrs["value"] == "Leiar"
    assert await conn.fetchval("SELECT count(*) FROM workshop_groups") == 2


async def test_an_event_that_is_not_a_workshop_has_no_groups(signed_in: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk")

    page = Page((await signed_in.get("/console/events/kk/groups", headers=HTML)).text)
    tabs = Page((await signed_in.get("/console/events/kk", headers=HTML)).text)

    assert page.one("#not-a-workshop").text == "Bare workshoper har perspektivgrupper."
    hrefs = [a.attrs.get("href") for a in tabs.all("a")]
    assert "/console/events/kk/doors" in hrefs
    assert "/console/events/kk/groups" not in hrefs  # no Groups tab leads there


async def test_before_placement_the_table_shows_each_persons_ranking_and_after_it_their_choice(
    signed_in: Client, ws: list[str], post_form: PostForm
) -> None:
    before = Page((await signed_in.get(PAGE, headers=HTML)).text)
    await post_form(PAGE, f"{PAGE}/assign", {})
    after = Page((await signed_in.get(PAGE, headers=HTML)).text)

    assert before.texts("td.choice") == ["Pasient Ansatt", "Pasient Ansatt", "Pasient"]
    assert sorted(after.texts("td.choice")) == ["1", "1", "2"]


async def test_registrations_table_shows_the_first_choice_before_placement_and_the_group_after(
    signed_in: Client, ws: list[str], post_form: PostForm
) -> None:
    table = "/console/events/ws/registrations"
    before = Page((await signed_in.get(table, headers=HTML)).text)
    await post_form(PAGE, f"{PAGE}/assign", {})
    after = Page((await signed_in.get(table, headers=HTML)).text)

    assert before.texts("th")[:6] == ["Navn", "E-post", "Organisasjon", "Rolle", "Status", "Perspektiv"]
    assert before.texts("td.perspective") == ["Førstevalg: Pasient"] * 3
    assert sorted(after.texts("td.perspective")) == ["Ansatt", "Pasient", "Pasient"]
