"""Next year's copy in a real browser: the event page's button, the form (axe-core, WCAG 2.1 A/AA, in nb, nn and
en, also with an error), and the copy it makes; the registrations page's badges link downloads a PDF."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from service import db
from service.console import passwords
from tests.browser.conftest import LiveServer, in_days
from tests.browser.test_console import ORGANISER, PASSWORD, assert_accessible
from tests.browser.test_public_pages import DESKTOP
from tests.browser.test_reminders_attendance import sign_in

pytestmark = pytest.mark.browser

SLUG = "axe-kopi-2027"


async def _password(database_url: str) -> None:
    conn = await db.connect(database_url)
    try:
        await passwords.set_password_of(conn, ORGANISER, PASSWORD, now=datetime.now(UTC))
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def event(live_server: LiveServer) -> str:
    """An event with a session and a confirmed person (runs before the browser starts)."""
    asyncio.run(_password(live_server.database_url))
    live_server.create_event(
        slug=SLUG,
        kind="conference",
        title={"nb": "Kopikonferansen", "nn": "Kopikonferansen", "en": "The Copy Conference"},
        starts_at=in_days(30, 9),
        ends_at=in_days(30, 16),
        capacity=20,
        status="published",
    )
    session = {
        "kind": "plenary",
        "title": {"nb": "Opning"},
        "starts_at": in_days(30, 9),
        "ends_at": in_days(30, 10),
    }
    assert live_server.api("POST", f"/api/v1/events/{SLUG}/sessions", json=session).status_code == 201
    person = {"name": "Åse Ødegård", "email": "ase@example.no", "accept_privacy": True}
    answer = live_server.api("POST", f"/api/v1/events/{SLUG}/registrations", json=person, headers={"Authorization": ""})
    assert answer.status_code == 201, answer.text
    return SLUG


@pytest.fixture
def desk(event: str, browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP, locale="nb-NO", accept_downloads=True, reduced_motion="reduce")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_copy_form_meets_wcag_21_aa(
    desk: BrowserContext, live_server: LiveServer, axe_source: Path, event: str, language: str
) -> None:
    sign_in(desk, live_server.url)
    page = desk.new_page()

    page.goto(f"{live_server.url}/console/events/{event}/copy?lang={language}")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page, axe_source)
    page.locator("#slug").fill(event)
    page.locator("form.form-stack button[type=submit]").click()
    expect(page.locator("#slug")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, axe_source)


def test_copy_for_next_year_from_the_event_page(desk: BrowserContext, live_server: LiveServer, event: str) -> None:
    sign_in(desk, live_server.url)
    page = desk.new_page()
    page.goto(f"{live_server.url}/console/events/{event}?lang=en")

    page.get_by_role("link", name="Copy for next year…").click()
    expect(page.locator("#slug")).to_have_value("axe-kopi-2028")
    page.get_by_role("button", name="Make the copy").click()

    page.wait_for_url(f"{live_server.url}/console/events/axe-kopi-2028?notice=copied")
    expect(page.get_by_role("status").first).to_contain_text("This is the copy, as a draft.")
    page.goto(f"{live_server.url}/console/events/axe-kopi-2028/programme?lang=en")
    expect(page.locator("main")).to_contain_text("Opning")


def test_badges_link_downloads_the_pdf(desk: BrowserContext, live_server: LiveServer, event: str) -> None:
    sign_in(desk, live_server.url)
    page = desk.new_page()
    page.goto(f"{live_server.url}/console/events/{event}/registrations?lang=en")

    with page.expect_download() as download:
        page.get_by_role("link", name="Name badges (PDF, confirmed only)").click()

    assert download.value.suggested_filename == f"{event}-badges.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
