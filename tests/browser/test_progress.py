"""Long work shows its progress in a real browser: an announcement sent from the console waits on its own page
until a real worker (`moteplass worker`, started once the page is open) sends the mails, and the page, polling
the figures without a reload, counts up to "Sendt 3 av 3"; the same for a calendar update on the programme page.
Both progress parts pass axe-core (WCAG 2.1 A/AA) in nb, nn and en."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Request, expect

from tests.browser.conftest import PROJECT_ROOT, LiveServer, in_days
from tests.browser.test_console import assert_accessible
from tests.browser.test_public_pages import DESKTOP
from tests.browser.test_reminders_attendance import _password, sign_in
from tests.conftest import SECRET
from tests.programme.helpers import session_body

pytestmark = pytest.mark.browser

SLUG = "framdrift"


@pytest.fixture(scope="module")
def event(live_server: LiveServer) -> str:
    """An event with three seats taken and a plenary session (runs before the browser starts)."""
    asyncio.run(_password(live_server.database_url))
    starts = in_days(20, 9)
    live_server.create_event(
        slug=SLUG,
        kind="conference",
        title={"nb": "Framdriftskonferansen", "nn": "Framdriftskonferansen", "en": "The Progress Conference"},
        venue="Alrek helseklynge",
        starts_at=starts,
        ends_at=in_days(20, 16),
        capacity=5,
        status="published",
    )
    for name, email in (("Åse Ødegård", "ase"), ("Bjørn Æsøy", "bjorn"), ("Cato Berg", "cato")):
        answer = live_server.api(
            "POST",
            f"/api/v1/events/{SLUG}/registrations",
            json={"name": name, "email": f"{email}@example.no", "accept_privacy": True},
            headers={"Authorization": ""},
        )
        assert answer.status_code == 201, answer.text
    day = starts[:10]
    body = session_body("Opning", "10:00", "11:00", kind="plenary")
    body |= {"starts_at": f"{day}T10:00:00+02:00", "ends_at": f"{day}T11:00:00+02:00"}
    added = live_server.api("POST", f"/api/v1/events/{SLUG}/sessions", json=body)
    assert added.status_code == 201, added.text
    return str(added.json()["id"])


@contextmanager
def worker(live_server: LiveServer) -> Iterator[None]:
    """The job worker, as production runs it, against the live server's database and mail sink."""
    env = {
        **os.environ,
        "DATABASE_URL": live_server.database_url,
        "SECRET_KEY": SECRET,
        "SMTP_URL": live_server.smtp_url,
        "BASE_URL": live_server.url,
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], cwd=PROJECT_ROOT, env=env)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def desk(event: str, browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP, locale="nb-NO", reduced_motion="reduce")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def test_announcement_page_counts_up_to_every_mail_sent(
    desk: BrowserContext, live_server: LiveServer, axe_source: Path, event: str
) -> None:
    sign_in(desk, live_server.url)
    page = desk.new_page()
    page.goto(f"{live_server.url}/console/events/{SLUG}/announcements")
    page.locator("#subject_nb").fill("Husk navneskilt")
    page.locator("#body_nb").fill("Hent navneskiltet ved inngangen.")
    page.locator("form.form-stack button[type=submit]").click()
    page.get_by_role("button", name="Send den nå").click()

    page.wait_for_url("**/announcements/*?notice=sending")
    expect(page.locator("#announcement-progress")).to_contain_text("Gjør klar til sending …")
    with worker(live_server):
        expect(page.locator("#announcement-figures")).to_have_text("Sendt 3 av 3, 0 feilet", timeout=20_000)
    expect(page.locator("#announcement-progress [data-refresh-done]")).to_have_text("Alle e-postene er behandlet.")
    expect(page.locator("#announcement-progress")).to_have_attribute("aria-live", "polite")
    expect(page.locator("progress.work-progress")).to_have_attribute("value", "3")
    announcement = page.url.split("?")[0]
    for language, figures in (
        ("nb", "Sendt 3 av 3, 0 feilet"),
        ("nn", "Sendt 3 av 3, 0 feila"),
        ("en", "Sent 3 of 3, 0 failed"),
    ):
        page.goto(f"{announcement}?lang={language}")
        expect(page.locator("#announcement-figures")).to_have_text(figures)
        assert_accessible(page, axe_source)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_calendar_update_progress_meets_wcag_21_aa(
    desk: BrowserContext, live_server: LiveServer, axe_source: Path, event: str, language: str
) -> None:
    sign_in(desk, live_server.url)
    page = desk.new_page()

    page.goto(f"{live_server.url}/console/events/{SLUG}/programme?calendar={event}&revision=0&lang={language}")

    done = {"nb": "Sendt 3 av 3, 0 feilet", "nn": "Sendt 3 av 3, 0 feila", "en": "Sent 3 of 3, 0 failed"}
    with worker(live_server):
        expect(page.locator("#calendar-figures")).to_have_text(done[language], timeout=20_000)
    assert_accessible(page, axe_source)


def test_a_file_link_fetches_the_file_and_saves_it_under_the_servers_name(
    desk: BrowserContext, live_server: LiveServer, axe_source: Path, event: str
) -> None:
    """The links to files that can take a while are fetched by downloads.js (which says "Lager fila …" with
    how much has arrived when it takes over a second) and saved under the name the server gives."""
    sign_in(desk, live_server.url)
    page = desk.new_page()
    page.goto(f"{live_server.url}/console/events/{SLUG}/registrations")
    badges = page.get_by_role("link", name="Navnelapper (PDF, bare bekreftede)")
    fetched: list[tuple[str, str]] = []

    def note(request: Request) -> None:
        name = request.url.split("?")[0].rsplit("/", 1)[1]
        if name.endswith((".csv", ".pdf")):
            fetched.append((name, request.resource_type))

    page.on("request", note)

    with page.expect_download() as csv:
        page.get_by_role("link", name="Last ned som CSV").click()
    with page.expect_download() as pdf:
        badges.click()

    assert (csv.value.suggested_filename, pdf.value.suggested_filename) == (
        f"{SLUG}-registrations.csv",
        f"{SLUG}-badges.pdf",
    )
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    assert fetched == [("registrations.csv", "fetch"), ("badges.pdf", "fetch")]  # by the script, not by navigating
    expect(page.locator("a[data-busy] + .busy-status[role=status]")).to_have_count(3)
    expect(badges).not_to_have_attribute("aria-busy", "true")
    assert page.url == f"{live_server.url}/console/events/{SLUG}/registrations"
    assert_accessible(page, axe_source)
