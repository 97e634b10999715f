"""The privacy notice and the accessibility statement in a real browser: WCAG 2.1 AA by axe-core, on a phone
and a desktop, in bokmål, nynorsk and English; and their footer links reach them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.conftest import LiveServer
from tests.browser.test_public_pages import DESKTOP, PHONE, axe_violations, readable

pytestmark = pytest.mark.browser

PAGES = {"privacy": "/personvern", "accessibility": "/tilgjengelighetserklaering"}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture
def pages(browser: Browser) -> Iterator[list[Page]]:
    opened: list[Page] = []
    yield opened
    for page in opened:
        page.context.close()


def open_page(browser: Browser, opened: list[Page], url: str, viewport: ViewportSize) -> Page:
    context = browser.new_context(viewport=viewport, locale="nb-NO", reduced_motion="reduce")
    context.set_default_timeout(10_000)
    page = context.new_page()
    opened.append(page)
    page.goto(url, wait_until="load")
    return page


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", list(PAGES))
def test_privacy_page_meets_wcag_21_aa(
    browser: Browser,
    live_server: LiveServer,
    axe_source: Path,
    pages: list[Page],
    name: str,
    viewport: str,
    language: str,
) -> None:
    page = open_page(browser, pages, f"{live_server.url}{PAGES[name]}?lang={language}", VIEWPORTS[viewport])

    violations = axe_violations(page, axe_source)

    assert page.locator("html").get_attribute("lang") == language
    assert violations == [], f"{PAGES[name]} ({viewport}, {language}):\n{readable(violations)}"


def test_footer_link_leads_to_the_accessibility_statement(
    browser: Browser, live_server: LiveServer, pages: list[Page]
) -> None:
    page = open_page(browser, pages, f"{live_server.url}/?lang=nn", PHONE)

    page.get_by_role("contentinfo").get_by_role("link", name="Tilgjengelegheitserklæring").click()

    page.wait_for_url("**/tilgjengelighetserklaering?lang=nn")
    assert page.get_by_role("heading", level=1).inner_text() == "Tilgjengelegheitserklæring"
