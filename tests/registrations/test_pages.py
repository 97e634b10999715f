"""The attendee's pages: form, manage page and ticket, in three languages, against the real app."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import asyncpg
import pytest
import zxingcpp
from PIL import Image

from tests.conftest import Client, MakeEvent

FORM = {
    "name": "Kari Nordmann",
    "email": "kari@example.no",
    "accept_privacy": "yes",
    "organisation": "UiB",
    "role": "researcher",
    "language": "nn",
}


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("nb", "Meld deg på Kunnskapskommunekonferansen 2027"),
        ("nn", "Meld deg på Kunnskapskommunekonferansen 2027"),
        ("en", "Register for The Knowledge Municipality Conference 2027"),
    ],
)
async def test_form_renders_in_each_language(client: Client, make_event: MakeEvent, lang: str, heading: str) -> None:
    await make_event(slug="kk")

    response = await client.get(f"/events/kk/register?lang={lang}")

    assert response.status_code == 200
    assert f'<html lang="{lang}"' in response.text
    assert heading in response.text
    assert response.headers["content-language"] == lang


async def test_form_submit_redirects_to_manage_page_with_status(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk")

    submitted = await client.post("/events/kk/register?lang=nb", data=FORM, follow_redirects=False)
    manage = await client.get(submitted.headers["location"].removeprefix("http://testserver.local"))

    assert submitted.status_code == 303
    assert re.fullmatch(r"http://testserver.local/r/M1[A-Z2-7]{52}\?welcome=1", submitted.headers["location"])
    assert "Stadfesta" in manage.text or "Bekreftet" in manage.text


async def test_form_with_errors_rerenders_422_keeping_values(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")

    response = await client.post("/events/kk/register?lang=nb", data={**FORM, "accept_privacy": ""})

    assert response.status_code == 422
    assert 'id="error-summary"' in response.text
    assert 'value="Kari Nordmann"' in response.text
    assert await conn.fetchval("SELECT count(*) FROM registrations") == 0


async def test_form_same_email_again_shows_already_registered(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk")
    await client.post("/events/kk/register", data=FORM)

    again = await client.post("/events/kk/register?lang=en", data=FORM)

    assert again.status_code == 200
    assert "You are already registered" in again.text
    assert "UiB" not in again.text


async def test_ticket_page_and_images_decode_to_the_ticket_code(
    client: Client, make_event: MakeEvent, tmp_path: Path
) -> None:
    await make_event(slug="kk")
    created = (
        await client.post(
            "/api/v1/events/kk/registrations", json={"name": "Kari", "email": "k@example.no", "accept_privacy": True}
        )
    ).json()
    path = created["ticket_url"].removeprefix("http://testserver.local")
    code = path.rsplit("/", 1)[1]

    page = await client.get(path)
    png = await client.get(path + ".png")
    svg = await client.get(path + ".svg")
    (tmp_path / "t.png").write_bytes(png.content)
    zbar = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "t.png")], capture_output=True, text=True)

    assert page.status_code == 200
    assert "Kari" in page.text
    assert code in page.text
    assert (png.headers["content-type"], svg.headers["content-type"]) == ("image/png", "image/svg+xml")
    assert png.headers["cache-control"] == "private, max-age=86400"
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))] == [code]
    assert zbar.stdout.strip() == code
    assert svg.text.startswith("<svg")
    assert 'fill="white"' in svg.text


async def test_ticket_images_are_rendered_once_and_kept(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    created = (
        await client.post(
            "/api/v1/events/kk/registrations", json={"name": "Kari", "email": "k@example.no", "accept_privacy": True}
        )
    ).json()
    path = created["ticket_url"].removeprefix("http://testserver.local")

    first = await client.get(path + ".png")
    second = await client.get(path + ".png")

    assert first.content == second.content
    assert await conn.fetchval("SELECT count(*) FROM ticket_images") == 1


async def test_ticket_of_cancelled_or_forged_code_is_404_page(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk")
    created = (
        await client.post(
            "/api/v1/events/kk/registrations", json={"name": "Kari", "email": "k@example.no", "accept_privacy": True}
        )
    ).json()
    path = created["ticket_url"].removeprefix("http://testserver.local")
    secret = created["manage_url"].rsplit("/", 1)[1]
    await client.post(f"/r/{secret}/cancel", data={"confirm": "yes"})

    cancelled = await client.get(path, headers={"accept": "text/html"})
    forged = await client.get("/t/T1AAAA", headers={"accept": "text/html"})

    assert (cancelled.status_code, forged.status_code) == (404, 404)
    assert "text/html" in cancelled.headers["content-type"]


async def test_manage_page_change_cancel_and_erase(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    submitted = await client.post("/events/kk/register", data=FORM, follow_redirects=False)
    path = submitted.headers["location"].removeprefix("http://testserver.local").split("?")[0]

    changed = await client.post(
        path, data={"name": "Kari N. Nordmann", "dietary": "Vegan", "language": "en"}, follow_redirects=False
    )
    cancelled = await client.post(f"{path}/cancel", data={"confirm": "yes"}, follow_redirects=False)
    after_cancel = await client.get(path + "?lang=en")
    erased = await client.post(f"{path}/erase")

    assert (changed.status_code, cancelled.status_code) == (303, 303)
    assert "<strong>Cancelled</strong>" in after_cancel.text
    assert erased.status_code == 200
    assert await conn.fetchval("SELECT count(*) FROM registrations") == 0


async def test_manage_page_shows_and_keeps_the_answers_to_the_events_questions(
    client: Client, make_event: MakeEvent, organiser_token: str, conn: asyncpg.Connection
) -> None:
    """The "change your answers" form carries the event's questions with the stored answers: the attendee
    changes them there, a bad choice is refused on its field."""
    await make_event(slug="kk")
    question = (
        await client.post(
            "/api/v1/events/kk/questions",
            headers={"Authorization": f"Bearer {organiser_token}"},
            json={
                "kind": "choice",
                "label": {"nb": "Parallell?"},
                "required": True,
                "choices": [{"nb": "Eldrehelse"}, {"nb": "Barn og unge"}],
            },
        )
    ).json()
    q = f"q_{question['id']}"
    created = (
        await client.post(
            "/api/v1/events/kk/registrations",
            json={
                "name": "Kari",
                "email": "kari@example.no",
                "accept_privacy": True,
                "answers": {question["id"]: "Eldrehelse"},
            },
        )
    ).json()
    path = created["manage_url"].removeprefix("http://testserver.local")

    shown = await client.get(f"{path}?lang=en")
    wrong = await client.post(f"{path}?lang=en", data={"name": "Kari N", "language": "nb", q: "Golf"})
    renamed = await client.post(
        path, data={"name": "Kari N", "language": "nb", q: "Barn og unge"}, follow_redirects=False
    )

    assert re.search(r'value="Eldrehelse"\s+checked', shown.text)
    assert wrong.status_code == 422
    assert f'href="#{q}">Parallell?: Choose one of the answers.</a>' in wrong.text
    assert renamed.status_code == 303
    stored = await conn.fetchrow("SELECT name, answers->>$1 AS answer FROM registrations", question["id"])
    assert tuple(stored) == ("Kari N", "Barn og unge")
