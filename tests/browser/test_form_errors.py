"""The public registration form's errors, as a person meets them on a phone and on a desktop in each language:
sending it empty shows every error at once (name, e-mail, privacy) in Designsystemet's error summary, which
takes the focus; what was typed stays; an empty and a malformed e-mail address get different messages; the
summary has no empty space below its list; axe-core (WCAG 2.1 A/AA) passes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import LiveServer, in_days
from tests.browser.test_public_pages import DESKTOP, PHONE, axe_violations, readable

pytestmark = pytest.mark.browser

TEXTS = {
    "nb": {
        "submit": "Meld deg på",
        "email": "E-post",
        "organisation": "Organisasjon",
        "name_required": "Skriv navnet ditt.",
        "email_required": "Skriv e-postadressen din, f.eks. navn@kommune.no.",
        "email_invalid": "Sjekk e-postadressen: den skal se ut som navn@kommune.no, uten mellomrom.",
        "privacy": "Du må godta dette for å melde deg på.",
    },
    "nn": {
        "submit": "Meld deg på",
        "email": "E-post",
        "organisation": "Organisasjon",
        "name_required": "Skriv namnet ditt.",
        "email_required": "Skriv e-postadressa di, t.d. namn@kommune.no.",
        "email_invalid": "Sjekk e-postadressa: ho skal sjå ut som namn@kommune.no, utan mellomrom.",
        "privacy": "Du må godta dette for å melde deg på.",
    },
    "en": {
        "submit": "Register",
        "email": "E-mail",
        "organisation": "Organisation",
        "name_required": "Write your name.",
        "email_required": "Write your e-mail address, like name@kommune.no.",
        "email_invalid": "Check the e-mail address: it should look like name@kommune.no, with no spaces.",
        "privacy": "You must accept this to register.",
    },
}
SIZES = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture(scope="module")
def event(live_server: LiveServer) -> str:
    live_server.create_event(
        slug="feil-2027",
        kind="conference",
        title={"nb": "Skjemafeil 2027"},
        venue="Alrek helseklynge",
        starts_at=in_days(60, 9),
        ends_at=in_days(60, 16),
        capacity=50,
        status="published",
    )
    return "feil-2027"


@pytest.fixture(params=list(SIZES))
def visitor(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    phone = request.param == "phone"
    context = browser.new_context(viewport=SIZES[request.param], locale="nb-NO", has_touch=phone, is_mobile=phone)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def summary_items(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("#error-summary li").all_inner_texts()]


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_empty_registration_shows_every_error_at_once_with_focus_on_the_summary(
    visitor: Page, live_server: LiveServer, event: str, axe_source: Path, language: str
) -> None:
    text = TEXTS[language]
    visitor.goto(f"{live_server.url}/events/{event}/register?lang={language}")
    visitor.get_by_label(text["organisation"], exact=True).fill("Bergen kommune")

    visitor.get_by_role("button", name=text["submit"]).click()
    visitor.wait_for_selector("#error-summary")

    items = summary_items(visitor)
    assert [item.split(": ", 1)[1] for item in items] == [
        text["name_required"],
        text["email_required"],
        text["privacy"],
    ]
    assert visitor.evaluate("document.activeElement && document.activeElement.id") == "error-summary"
    assert visitor.get_by_label(text["organisation"], exact=True).input_value() == "Bergen kommune"
    assert visitor.locator("#email-error").inner_text() == text["email_required"]
    assert visitor.locator("#email").get_attribute("aria-invalid") == "true"
    # No empty band in the summary: below its list there is only the summary's own padding.
    gap = visitor.evaluate(
        """() => {
            const summary = document.getElementById('error-summary');
            const box = summary.getBoundingClientRect();
            const list = summary.querySelector('ul').getBoundingClientRect();
            return box.bottom - list.bottom - parseFloat(getComputedStyle(summary).paddingBottom);
        }"""
    )
    assert gap <= 4, f"{gap}px of empty space below the summary's list"
    violations = axe_violations(visitor, axe_source)
    assert violations == [], readable(violations)

    visitor.get_by_label(text["email"], exact=False).first.fill("kari@")
    visitor.get_by_role("button", name=text["submit"]).click()
    visitor.wait_for_selector("#email-error")

    assert visitor.locator("#email-error").inner_text() == text["email_invalid"]
    assert visitor.get_by_label(text["email"], exact=False).first.input_value() == "kari@"
    assert visitor.get_by_label(text["organisation"], exact=True).input_value() == "Bergen kommune"
    assert visitor.evaluate("document.activeElement && document.activeElement.id") == "error-summary"
