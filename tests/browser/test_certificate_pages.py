"""The attendee's certificate of attendance in a real browser: the manage page's link downloads the PDF; someone
not checked in gets a page saying why. WCAG 2.1 AA by axe-core on both, on a phone, in bokmål, nynorsk and English.
(The console's report page is checked with the other console pages in test_console.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import LiveServer, in_days
from tests.browser.test_public_pages import PHONE, axe_violations, readable

pytestmark = pytest.mark.browser

SLUG = "axe-bevis"


@pytest.fixture(scope="module")
def codes(live_server: LiveServer) -> dict[str, str]:
    """Manage codes of Åse (checked in) and Dag (not), at an event moved to yesterday once Åse was let in."""
    live_server.create_event(
        slug=SLUG,
        kind="conference",
        title={"nb": "Bevisdagen", "nn": "Bevisdagen", "en": "The certificate day"},
        venue="Alrek helseklynge",
        starts_at=in_days(2, 9),
        ends_at=in_days(2, 16),
        capacity=10,
        status="published",
    )
    created = {}
    for name, email in (("Åse Ødegård", "ase.bevis@example.no"), ("Dag Hjemme", "dag.bevis@example.no")):
        body = {"name": name, "email": email, "accept_privacy": True}
        answer = httpx.post(f"{live_server.url}/api/v1/events/{SLUG}/registrations", json=body, timeout=10)
        assert answer.status_code == 201, answer.text
        created[name] = answer.json()
    door = live_server.api("POST", f"/api/v1/events/{SLUG}/doors", json={"name": "Inngang"}).json()
    pairing = door["pairing_url"].split("#pair=")[1]
    token = httpx.post(f"{live_server.url}/api/v1/doors/pair", json={"code": pairing}, timeout=10).json()["token"]
    ticket = created["Åse Ødegård"]["ticket_url"].rsplit("/", 1)[1]
    scan = httpx.post(
        f"{live_server.url}/api/v1/checkins",
        json={"code": ticket, "nonce": "bevis-1"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert scan.json()["result"] == "admitted", scan.text
    moved = live_server.api(
        "PATCH", f"/api/v1/events/{SLUG}", json={"starts_at": in_days(-1, 9), "ends_at": in_days(-1, 16)}
    )
    assert moved.status_code == 200, moved.text
    return {name: c["manage_url"].rsplit("/", 1)[1] for name, c in created.items()}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="nb-NO", reduced_motion="reduce", accept_downloads=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_manage_page_downloads_the_certificate_and_meets_wcag(
    phone: Page, live_server: LiveServer, axe_source: Path, codes: dict[str, str], language: str, tmp_path: Path
) -> None:
    phone.goto(f"{live_server.url}/r/{codes['Åse Ødegård']}?lang={language}")
    violations = axe_violations(phone, axe_source)

    with phone.expect_download() as download:
        phone.locator("#certificate-link").click()
    saved = tmp_path / "certificate.pdf"
    download.value.save_as(saved)

    assert violations == [], readable(violations)
    assert saved.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("nb", "Ingen deltakerbevis ennå"),
        ("nn", "Ikkje noko deltakarbevis enno"),
        ("en", "No certificate of attendance yet"),
    ],
)
def test_no_certificate_page_says_why_and_meets_wcag(
    phone: Page, live_server: LiveServer, axe_source: Path, codes: dict[str, str], language: str, heading: str
) -> None:
    phone.goto(f"{live_server.url}/r/{codes['Dag Hjemme']}?lang={language}")
    assert phone.locator("#certificate-link").count() == 0

    phone.goto(f"{live_server.url}/r/{codes['Dag Hjemme']}/certificate.pdf?lang={language}")
    violations = axe_violations(phone, axe_source)

    assert phone.get_by_role("heading", level=1).inner_text() == heading
    assert phone.locator("html").get_attribute("lang") == language
    assert violations == [], readable(violations)
