"""The badges PDF against a real database and a real server app: pages, QR codes, names, filter, audit, access.
The PDF is read back with poppler-utils (pdfinfo, pdftotext, pdftoppm; `make system-deps` installs them) and the
QR codes with zxing-cpp."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import zxingcpp
from PIL import Image

from service.accounts.domain import add_user
from service.badges.sheet import BADGE_HEIGHT, BADGE_WIDTH, MARGIN_X, MARGIN_Y
from tests.conftest import Client, MakeEvent, auth
from tests.console.conftest import HTML

NAMES = [
    "Kari Nordmann",
    "Åse Ødegård",
    "Ærlend Bøe",
    "Per Hansen",
    "Siri Lærum",
    "Øystein Aas",
    "Ola Normann",
    "Trine Bråten",
    "Jørgen Hæreid",
]
# 60 characters, sorted first, so it is the first badge of the first page (top left).
LONG_NAME = "Aaaa-Marie Kristiansen-Øvrebø Haugland-Bjørnstad Sæther Lien"
ROLES = ["researcher", "municipal_employee", "student"]


def ticket_code(created: dict[str, Any]) -> str:
    url: str = created["ticket_url"]
    return url.rsplit("/", 1)[1]


async def register(client: Client, slug: str, name: str, index: int, **extra: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "email": f"person{index}@example.no",
        "accept_privacy": True,
        "organisation": "Bergen kommune",
        "role": ROLES[index % len(ROLES)],
        **extra,
    }
    response = await client.post(f"/api/v1/events/{slug}/registrations", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def pages_of(pdf: Path) -> int:
    found = re.search(r"^Pages:\s+(\d+)$", run("pdfinfo", str(pdf)), re.MULTILINE)
    assert found
    return int(found.group(1))


def text_of(pdf: Path) -> str:
    return " ".join(run("pdftotext", str(pdf), "-").split())


def qr_codes_of(pdf: Path, tmp_path: Path) -> list[str]:
    run("pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page"))
    codes: list[str] = []
    for image in sorted(tmp_path.glob("page-*.png")):
        codes.extend(found.text for found in zxingcpp.read_barcodes(Image.open(image)))
    return codes


@pytest.fixture
async def people(client: Client, make_event: MakeEvent) -> dict[str, str]:
    """Event "kk" with 10 confirmed people (name -> ticket code), one on the waiting list and one cancelled."""
    await make_event(slug="kk", capacity=10)
    codes = {}
    for index, name in enumerate([*NAMES, LONG_NAME]):
        codes[name] = ticket_code(await register(client, "kk", name, index))
    await register(client, "kk", "Venter Venteliste", 20)
    return codes


async def test_badges_one_page_per_eight_each_qr_decodes_to_its_ticket(
    client: Client, people: dict[str, str], organiser_token: str, tmp_path: Path
) -> None:
    pdf = tmp_path / "badges.pdf"

    response = await client.get("/api/v1/events/kk/badges.pdf", headers=auth(organiser_token))
    pdf.write_bytes(response.content)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="kk-badges.pdf"'
    assert pages_of(pdf) == 2  # 10 confirmed people, 8 a page; the waiting list gets none
    assert sorted(qr_codes_of(pdf, tmp_path)) == sorted(people.values())


async def test_badges_hold_every_name_with_aeoeaa_and_the_role_in_the_language(
    client: Client, people: dict[str, str], organiser_token: str, tmp_path: Path
) -> None:
    pdf = tmp_path / "badges.pdf"

    response = await client.get("/api/v1/events/kk/badges.pdf?lang=nn", headers=auth(organiser_token))
    pdf.write_bytes(response.content)

    text = text_of(pdf)
    assert [name for name in people if name not in text] == []
    assert "Venter Venteliste" not in text
    assert "Bergen kommune Forskar" in text


async def test_badges_a_sixty_character_name_stays_inside_its_badge(
    client: Client, people: dict[str, str], organiser_token: str, tmp_path: Path
) -> None:
    pdf = tmp_path / "badges.pdf"
    response = await client.get("/api/v1/events/kk/badges.pdf", headers=auth(organiser_token))
    pdf.write_bytes(response.content)

    layout = run("pdftotext", "-f", "1", "-l", "1", "-bbox", str(pdf), "-")
    words = [
        (float(x0), float(y0), float(x1), float(y1), word)
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', layout
        )
    ]
    long_words = LONG_NAME.split()
    placed = [w for w in words if w[4] in long_words]

    assert len(LONG_NAME) == 60
    assert sorted(w[4] for w in placed) == sorted(long_words)
    left, top = MARGIN_X, MARGIN_Y  # the first badge: top left of the sheet (pdftotext's y runs downwards)
    assert all(left < x0 and x1 < left + BADGE_WIDTH for x0, _, x1, _, _ in placed)
    assert all(top < y0 and y1 < top + BADGE_HEIGHT for _, y0, _, y1, _ in placed)


async def test_badges_follow_the_consoles_filter_and_are_audited(
    client: Client, people: dict[str, str], organiser_token: str, tmp_path: Path, conn: asyncpg.Connection
) -> None:
    pdf = tmp_path / "badges.pdf"
    researchers = [name for index, name in enumerate([*NAMES, LONG_NAME]) if ROLES[index % 3] == "researcher"]

    response = await client.get("/api/v1/events/kk/badges.pdf?role=researcher", headers=auth(organiser_token))
    pdf.write_bytes(response.content)

    text = text_of(pdf)
    assert [name for name in people if name in text] == [n for n in people if n in researchers]
    assert sorted(qr_codes_of(pdf, tmp_path)) == sorted(people[name] for name in researchers)
    entry = await conn.fetchrow("SELECT actor, action, data FROM audit_log WHERE action = 'registrations.exported'")
    assert entry is not None
    assert (entry["action"], entry["data"]) == (
        "registrations.exported",
        {"filter": {"role": "researcher", "sort": "created"}, "rows": len(researchers), "format": "badges.pdf"},
    )
    assert entry["actor"].startswith("user:")


async def test_badges_of_an_empty_filter_are_a_problem(
    client: Client, people: dict[str, str], organiser_token: str, conn: asyncpg.Connection
) -> None:
    response = await client.get("/api/v1/events/kk/badges.pdf?q=ingen-heter-slik", headers=auth(organiser_token))

    assert (response.status_code, response.headers["content-type"]) == (404, "application/problem+json")
    assert response.json()["code"] == "no_badges"
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'registrations.exported'") == 0


async def test_badges_show_the_workshop_group_where_people_are_placed(
    client: Client, make_event: MakeEvent, organiser_token: str, tmp_path: Path
) -> None:
    await make_event(slug="kk", capacity=5, kind="workshop")
    group = {"key": "patient", "name": {"nb": "Pasientperspektivet", "en": "The patient's view"}, "capacity": 5}
    await client.post("/api/v1/events/kk/groups", json=group, headers=auth(organiser_token))
    await register(client, "kk", "Åse Ødegård", 1, perspectives=["patient"])
    assigned = await client.post("/api/v1/events/kk/groups/assign", headers=auth(organiser_token))
    assert assigned.status_code == 200, assigned.text
    pdf = tmp_path / "badges.pdf"

    response = await client.get("/api/v1/events/kk/badges.pdf?lang=en", headers=auth(organiser_token))
    pdf.write_bytes(response.content)

    assert "Åse Ødegård Bergen kommune Municipal employee The patient's view" in text_of(pdf)


@pytest.mark.parametrize("role", ["door", "jury", "organiser"])
async def test_badges_refuse_others_with_a_problem(
    client: Client, people: dict[str, str], conn: asyncpg.Connection, role: str
) -> None:
    """Anonymous 401; a door device, a juror and the organiser of another event 403, as problem+json."""
    token = (await add_user(conn, email=f"{role}@example.no", role=role)).token

    anonymous = await client.get("/api/v1/events/kk/badges.pdf")
    refused = await client.get("/api/v1/events/kk/badges.pdf", headers=auth(token))

    assert (anonymous.status_code, anonymous.headers["content-type"]) == (401, "application/problem+json")
    assert (refused.status_code, refused.headers["content-type"]) == (403, "application/problem+json")


async def test_console_registrations_page_links_the_badges_with_its_filter(
    signed_in: Client, people: dict[str, str]
) -> None:
    page = await signed_in.get("/console/events/kk/registrations?role=researcher", headers=HTML)
    link = re.search(r'href="(/api/v1/events/kk/badges\.pdf[^"]*)"', page.text)
    assert link is not None

    pdf = await signed_in.get(link.group(1).replace("&amp;", "&"))

    assert link.group(1) == "/api/v1/events/kk/badges.pdf?lang=nb&amp;role=researcher&amp;sort=created"
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
