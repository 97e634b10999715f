"""The reminders and attendance pages in a real browser: turn a reminder on and off by form, preview the mail,
see the check-in chart, and axe-core (WCAG 2.1 A/AA) on each new page in nb, nn and en."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from integrations import qr
from service import db
from service.console import passwords
from tests.browser.conftest import LiveServer, in_days, screenshot
from tests.browser.test_console import ORGANISER, PASSWORD, assert_accessible
from tests.browser.test_public_pages import DESKTOP, PHONE
from tests.conftest import SECRET

pytestmark = pytest.mark.browser

SLUG = "axe-paminning"


async def _password(database_url: str) -> None:
    conn = await db.connect(database_url)
    try:
        await passwords.set_password_of(conn, ORGANISER, PASSWORD, now=datetime.now(UTC))
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def event(live_server: LiveServer) -> str:
    """An event with three people, two of them checked in at a paired door (runs before the browser starts)."""
    asyncio.run(_password(live_server.database_url))
    live_server.create_event(
        slug=SLUG,
        kind="conference",
        title={"nb": "Påminningskonferansen", "nn": "Påminningskonferansen", "en": "The Reminder Conference"},
        venue="Alrek helseklynge",
        address="Årstadveien 17, Bergen",
        starts_at=in_days(20, 9),
        ends_at=in_days(20, 16),
        capacity=2,
        status="published",
    )
    ids = []
    for name, email, role in (
        ("Åse Ødegård", "ase@example.no", "researcher"),
        ("Bjørn Æsøy", "bjorn@example.no", None),
        ("Cato Berg", "cato@example.no", None),
    ):
        answer = live_server.api(
            "POST",
            f"/api/v1/events/{SLUG}/registrations",
            json={"name": name, "email": email, "accept_privacy": True, "role": role, "organisation": "Bergen kommune"},
            headers={"Authorization": ""},
        )
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    door = live_server.api("POST", f"/api/v1/events/{SLUG}/doors", json={"name": "Hovudinngang"}).json()
    pairing = door["pairing_url"].split("#pair=")[1]
    token = live_server.api("POST", "/api/v1/doors/pair", json={"code": pairing}, headers={"Authorization": ""}).json()[
        "token"
    ]
    for n, registration_id in enumerate(ids[:1]):
        code = qr.sign(SECRET.encode(), "ticket", UUID(registration_id), 1)
        scan = live_server.api(
            "POST",
            "/api/v1/checkins",
            json={"code": code, "nonce": f"n{n}"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert scan.json()["result"] == "admitted", scan.text
    return SLUG


@pytest.fixture
def desk(event: str, browser: Browser) -> Iterator[BrowserContext]:
    """After the event fixture: its set-up runs asyncio, which cannot run while the browser is open."""
    context = browser.new_context(viewport=DESKTOP, locale="nb-NO", reduced_motion="reduce")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def sign_in(context: BrowserContext, url: str) -> None:
    page = context.new_page()
    page.goto(f"{url}/console/sign-in")
    page.locator("#email").fill(ORGANISER)
    page.locator("#password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/console")
    page.close()


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_reminder_and_attendance_pages_meet_wcag_21_aa(
    desk: BrowserContext, live_server: LiveServer, axe_source: Path, event: str, language: str
) -> None:
    sign_in(desk, live_server.url)
    page = desk.new_page()
    paths = [
        f"/console/events/{event}/reminders",
        f"/console/events/{event}/reminders/preview?mail_language=nn&kind=ticket",
        f"/console/events/{event}/reminders/preview?mail_language=en&kind=waitlist",
        f"/console/events/{event}/attendance",
        f"/console/events/{event}",
        "/console",
        f"/console/events/{event}/registrations?checked_in=yes",
    ]
    for path in paths:
        page.goto(f"{live_server.url}{path}{'&' if '?' in path else '?'}lang={language}")
        assert page.locator("html").get_attribute("lang") == language, path
        assert_accessible(page, axe_source)
    # A form error on the reminders page is accessible too.
    page.goto(f"{live_server.url}/console/events/{event}/reminders?lang={language}")
    page.locator("#amount").fill("90")
    page.locator("#unit").select_option("days")
    page.locator("form.form-stack button[type=submit]").click()
    expect(page.locator("#amount")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, axe_source)


def test_turn_a_reminder_on_and_off_and_preview_it(desk: BrowserContext, live_server: LiveServer, event: str) -> None:
    sign_in(desk, live_server.url)
    page = desk.new_page()
    page.goto(f"{live_server.url}/console/events/{event}/reminders?lang=en")
    expect(page.locator("table tbody th")).to_have_text(["7 days before the start", "1 day before the start"])

    page.locator("#amount").fill("2")
    page.locator("#unit").select_option("hours")
    page.locator("form.form-stack button[type=submit]").click()
    expect(page.locator("table tbody th")).to_have_text(
        ["7 days before the start", "1 day before the start", "2 hours before the start"]
    )
    page.get_by_role("button", name="Turn off the reminder 7 days before the start").click()
    expect(page.locator("table tbody th")).to_have_text(["1 day before the start", "2 hours before the start"])
    api = live_server.api("GET", f"/api/v1/events/{event}/reminders").json()
    assert [r["before"] for r in api] == ["P1D", "PT2H"]

    page.get_by_role("link", name="With a seat – Nynorsk").click()
    expect(page.locator("#preview-subject")).to_have_text("Påminning: Påminningskonferansen")
    expect(page.locator("pre.mail-preview")).to_contain_text("Årstadveien 17, Bergen")
    expect(page.locator("pre.mail-preview")).to_contain_text("Parallellsesjon A")


def test_attendance_chart_has_its_table(desk: BrowserContext, live_server: LiveServer, event: str) -> None:
    sign_in(desk, live_server.url)
    page = desk.new_page()
    page.goto(f"{live_server.url}/console/events/{event}/attendance?lang=en")

    expect(page.locator("svg[role=img] rect")).to_have_count(1)
    expect(page.get_by_role("img", name="Check-ins per 10 minutes")).to_be_visible()
    expect(page.locator("#checkins-table-caption + thead + tbody td")).to_have_text(["1"])
    expect(page.locator(".attendance-totals dd")).to_have_text(["2", "1", "1", "0"])


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_registrations_over_time_on_the_event_page_and_dashboard(
    event: str, browser: Browser, live_server: LiveServer, language: str
) -> None:
    """Two seats taken and one on the waiting list today: the chart, its legend and its table, without horizontal
    scrolling on a phone or on a wide screen."""
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(viewport=viewport, locale="nb-NO", reduced_motion="reduce")
        try:
            sign_in(context, live_server.url)
            page = context.new_page()
            charts = ((f"/console/events/{event}", "#signups-caption"), ("/console", f"#signups-{event}-caption"))
            for path, table in charts:
                page.goto(f"{live_server.url}{path}?lang={language}")
                expect(page.locator(f"{table} + thead + tbody td")).to_have_text(["2", "1"])
                chart = page.locator(f"svg[aria-labelledby^='{table[1:].removesuffix('-caption')}-title']")
                expect(chart).to_be_visible()
                expect(chart.locator("polyline.seated-line")).to_have_count(1)
                widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
                assert widths[0] <= widths[1], (path, name, widths)
                screenshot(page, f"signups-{'event' if 'events' in path else 'dashboard'}-{language}-{name}")
        finally:
            context.close()
