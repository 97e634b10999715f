"""A juror signed in to the console by password (a session cookie, no bearer token) scores a nomination and
declares a conflict of interest on another, in Debian's Chromium: the jury forms carry the console's CSRF token.
Before, they carried none, and every submission with the session was refused (403 csrf_failed)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext

from service import db
from service.accounts.domain import add_user
from service.console import passwords
from tests.browser.conftest import LiveServer, axe_source, browser, in_days, live_server  # noqa: F401 - fixtures
from tests.browser.test_prize_pages import JUSTIFICATION, assert_accessible

pytestmark = pytest.mark.browser

JUROR = "ingrid@uib.no"
PASSWORD = "riktig hest batteri stift"


async def _add_juror(database_url: str) -> None:
    conn = await db.connect(database_url)
    try:
        await add_user(conn, email=JUROR, role="jury", name="Ingrid", language="nn")
        await passwords.set_password_of(conn, JUROR, PASSWORD, now=datetime.now(UTC))
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def call_id(live_server: LiveServer) -> str:
    """A call with two nominations and Ingrid on its jury (made before the browser starts)."""
    asyncio.run(_add_juror(live_server.database_url))
    made = live_server.api("POST", "/api/v1/prizes", json={"slug": "juryprisen", "name": {"nb": "Juryprisen"}})
    assert made.status_code == 201, made.text
    call = live_server.api(
        "POST",
        "/api/v1/prizes/juryprisen/calls",
        json={
            "year": 2030,
            "opens_at": in_days(-1, 9),
            "closes_at": in_days(30, 12),
            "scoring_closes_at": in_days(60, 12),
            "criteria": [
                {"name": {"nb": "Relevans", "nn": "Relevans"}, "weight": 2},
                {"name": {"nb": "Brukermedvirkning", "nn": "Brukarmedverknad"}, "weight": 1},
            ],
            "jury": [JUROR],
        },
    )
    assert call.status_code == 201, call.text
    for name in ("Polyfon", "GAMUT"):
        nominated = live_server.api(
            "POST",
            "/api/v1/prizes/juryprisen/nominations",
            json={
                "nominee_kind": "project",
                "nominee_name": name,
                "title": f"{name} i kommunen",
                "justification": JUSTIFICATION,
                "nominator_name": "Kjell Wolff",
                "nominator_email": "kjell@bergen.kommune.no",
            },
            headers={"Authorization": ""},
        )
        assert nominated.status_code == 201, nominated.text
    call_id: str = call.json()["id"]
    return call_id


@pytest.fixture
def desk(call_id: str, browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nn-NO")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def test_juror_signed_in_to_the_console_scores_and_declares_a_conflict(
    desk: BrowserContext,
    live_server: LiveServer,
    call_id: str,
    axe_source: Path,
) -> None:
    page = desk.new_page()
    page.goto(f"{live_server.url}/console/sign-in?lang=nn")
    page.locator("#email").fill(JUROR)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(f"{live_server.url}/console")
    page.get_by_role("link", name="Opne arbeidsflata til juryen").click()
    page.wait_for_url("**/jury?lang=nn")
    page.get_by_role("link", name="Juryprisen 2030").click()
    page.wait_for_url(f"**/jury/calls/{call_id}*")

    page.get_by_role("link", name="Polyfon").click()
    page.wait_for_url("**/jury/nominations/*")
    for group in page.locator("fieldset").all():
        group.get_by_label("4", exact=True).check()
    page.get_by_label("Kommentar").first.fill("Sterk brukarmedverknad")
    page.get_by_role("button", name="Lever poeng").click()
    page.wait_for_url("**notice=saved*")
    saved = page.inner_text("main")
    assert_accessible(page, axe_source)

    page.goto(f"{live_server.url}/jury/calls/{call_id}?lang=nn")
    page.get_by_role("link", name="GAMUT").click()
    page.wait_for_url("**/jury/nominations/*")
    page.get_by_label("Grunngjeving (valfritt)").fill("Eg har vore rettleiar for prosjektet")
    page.get_by_role("button", name="Meld inhabilitet").click()
    page.wait_for_url("**notice=conflict*")

    assert "Poenga dine er lagra." in saved
    assert "Du har meldt deg inhabil. Du gjev ikkje poeng til denne nominasjonen" in page.inner_text("main")
    assert page.get_by_role("button", name="Lever poeng").count() == 0
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url("**/console/sign-in*")
    page.goto(f"{live_server.url}/jury?lang=nn")
    page.wait_for_url("**/console/sign-in*")  # the session has ended: the workspace asks to sign in again
