"""The prize in a real browser: nominating on a phone in nynorsk (with the length counter as you type and the
error state), then a juror scoring in the workspace; axe-core (WCAG 2.1 A/AA) on every page on the way."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from service import db
from service.accounts.domain import add_user
from tests.browser.conftest import LiveServer, in_days
from tests.browser.test_public_pages import PHONE, axe_violations, readable

pytestmark = pytest.mark.browser

JUSTIFICATION = (
    "Senteret har gjort musikkterapi til ein del av dei kommunale tenestene, saman med brukarane og "
    "tilsette i Bergen kommune."
)


@dataclass(frozen=True)
class Prize:
    slug: str
    call_id: str
    juror_token: str


async def add_juror(database_url: str) -> str:
    conn = await db.connect(database_url)
    try:
        return (await add_user(conn, email="ingrid@uib.no", role="jury", name="Ingrid", language="nn")).token
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def prize(live_server: LiveServer) -> Prize:
    """Set up before the browser starts (asyncio.run cannot run while Playwright's loop does)."""
    token = asyncio.run(add_juror(live_server.database_url))
    made = live_server.api(
        "POST", "/api/v1/prizes", json={"slug": "fiprisen", "name": {"nb": "Forsknings- og innovasjonsprisen"}}
    )
    assert made.status_code == 201, made.text
    call = live_server.api(
        "POST",
        "/api/v1/prizes/fiprisen/calls",
        json={
            "year": 2030,
            "opens_at": in_days(-1, 9),
            "closes_at": in_days(30, 12),
            "scoring_closes_at": in_days(60, 12),
            "criteria": [
                {"name": {"nb": "Relevans", "nn": "Relevans"}, "weight": 2},
                {"name": {"nb": "Brukermedvirkning", "nn": "Brukarmedverknad"}, "weight": 1},
            ],
            "jury": ["ingrid@uib.no"],
        },
    )
    assert call.status_code == 201, call.text
    return Prize(slug="fiprisen", call_id=call.json()["id"], juror_token=token)


@pytest.fixture
def phone(prize: Prize, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="nn-NO", has_touch=True, is_mobile=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def juror_page(prize: Prize, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, extra_http_headers={"Authorization": f"Bearer {prize.juror_token}"}
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def assert_accessible(page: Page, axe: Path) -> None:
    violations = axe_violations(page, axe)
    assert violations == [], readable(violations)


def test_nominate_on_a_phone_in_nynorsk(phone: Page, live_server: LiveServer, prize: Prize, axe_source: Path) -> None:
    phone.goto(f"{live_server.url}/prizes/{prize.slug}?lang=nn")
    assert_accessible(phone, axe_source)

    phone.get_by_role("button", name="Send nominasjon").click()
    phone.wait_for_selector("#error-summary")
    assert "Rett opp dette" in phone.inner_text("#error-summary")
    assert_accessible(phone, axe_source)

    phone.get_by_label("Ei gruppe").check()
    phone.get_by_label("Namn på personen, gruppa eller prosjektet").fill("GAMUT")
    phone.get_by_label("Organisasjonen deira").fill("Universitetet i Bergen")
    phone.get_by_label("Tittel på arbeidet").fill("Musikkterapi i kommunen")
    assert phone.inner_text("#title-count") == "23 av 200 teikn brukte"
    phone.get_by_label("Kvifor dei fortener prisen").fill(JUSTIFICATION)
    assert phone.inner_text("#justification-count") == f"{len(JUSTIFICATION)} av 5000 teikn brukte"
    phone.get_by_label("Namnet ditt").fill("Beate Husa")
    phone.get_by_label("E-postadressa di").fill("beate@bergen.kommune.no")
    phone.get_by_role("button", name="Send nominasjon").click()
    phone.wait_for_url("**/nominations/N1*")
    assert "Motteken" in phone.inner_text(".status-card")
    assert_accessible(phone, axe_source)


def test_juror_scores_in_the_workspace(
    juror_page: Page, live_server: LiveServer, prize: Prize, axe_source: Path
) -> None:
    nominated = live_server.api(
        "POST",
        f"/api/v1/prizes/{prize.slug}/nominations",
        json={
            "nominee_kind": "project",
            "nominee_name": "Polyfon",
            "title": "Kunnskapsklynge for musikkterapi",
            "justification": JUSTIFICATION,
            "nominator_name": "Kjell Wolff",
            "nominator_email": "kjell@bergen.kommune.no",
        },
    )
    assert nominated.status_code == 201, nominated.text
    juror_page.goto(f"{live_server.url}/jury/calls/{prize.call_id}?lang=nn")
    assert_accessible(juror_page, axe_source)

    juror_page.get_by_role("link", name="Polyfon").click()
    juror_page.wait_for_url("**/jury/nominations/*")
    assert_accessible(juror_page, axe_source)
    for group in juror_page.locator("fieldset").all():
        group.get_by_label("4", exact=True).check()
    juror_page.get_by_label("Kommentar").first.fill("Sterk brukarmedverknad")
    juror_page.get_by_role("button", name="Lever poeng").click()
    juror_page.wait_for_url("**notice=saved*")

    assert "Poenga dine er lagra." in juror_page.inner_text("main")
    assert juror_page.get_by_role("button", name="Lagre endra poeng").is_visible()
    assert_accessible(juror_page, axe_source)
