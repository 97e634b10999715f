"""Registering on a phone in each language, as a person would: the form, its error state, the manage
page and the ticket, with axe-core (WCAG 2.1 A/AA) on each, then cancelling from the manage page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import LiveServer, in_days, screenshot
from tests.browser.test_public_pages import PHONE, axe_violations, readable

pytestmark = pytest.mark.browser

TEXTS = {
    "nb": {
        "submit": "Meld deg på",
        "name": "Navn",
        "email": "E-post",
        "privacy": "Jeg har lest",
        "errors": "Rett opp dette",
        "confirmed": "Bekreftet",
        "ticket": "Vis billetten din",
        "cancel": "Meld meg av",
        "confirm": "Ja, meld meg av",
        "cancelled": "Avmeldt",
        "again": "Meld meg på igjen",
    },
    "nn": {
        "submit": "Meld deg på",
        "name": "Namn",
        "email": "E-post",
        "privacy": "Eg har lese",
        "errors": "Rett opp dette",
        "confirmed": "Stadfesta",
        "ticket": "Vis billetten din",
        "cancel": "Meld meg av",
        "confirm": "Ja, meld meg av",
        "cancelled": "Avmeld",
        "again": "Meld meg på att",
    },
    "en": {
        "submit": "Register",
        "name": "Name",
        "email": "E-mail",
        "privacy": "I have read",
        "errors": "Please correct the following",
        "confirmed": "Confirmed",
        "ticket": "Show your ticket",
        "cancel": "Cancel my registration",
        "confirm": "Yes, cancel my registration",
        "cancelled": "Cancelled",
        "again": "Register again",
    },
}


@pytest.fixture(scope="module")
def event(live_server: LiveServer) -> str:
    live_server.create_event(
        slug="flyt-2027",
        kind="conference",
        title={"nb": "Flytkonferansen", "en": "The Flow Conference"},
        venue="Alrek helseklynge",
        starts_at=in_days(60, 9),
        ends_at=in_days(60, 16),
        capacity=50,
        status="published",
    )
    return "flyt-2027"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="nb-NO", has_touch=True, is_mobile=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def assert_accessible(page: Page, axe: Path) -> None:
    violations = axe_violations(page, axe)
    assert violations == [], readable(violations)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_register_on_a_phone_then_cancel(
    phone: Page, live_server: LiveServer, event: str, axe_source: Path, language: str
) -> None:
    text = TEXTS[language]
    phone.goto(f"{live_server.url}/events/{event}/register?lang={language}")
    assert_accessible(phone, axe_source)

    phone.get_by_role("button", name=text["submit"]).click()
    phone.wait_for_selector("#error-summary")
    assert text["errors"] in phone.inner_text("#error-summary")
    assert_accessible(phone, axe_source)

    phone.get_by_label(text["name"], exact=False).first.fill(f"Kari {language.upper()} Nordmann")
    phone.get_by_label(text["email"], exact=False).first.fill(f"kari.{language}@example.no")
    phone.get_by_label(text["privacy"], exact=False).check()
    phone.get_by_role("button", name=text["submit"]).click()
    phone.wait_for_url("**/r/M1*")
    assert text["confirmed"] in phone.inner_text("main")
    assert_accessible(phone, axe_source)

    phone.get_by_role("link", name=text["ticket"]).click()
    phone.wait_for_url("**/t/T1*")
    assert f"Kari {language.upper()} Nordmann" in phone.inner_text("main")
    qr = phone.locator("img.ticket-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    assert_accessible(phone, axe_source)

    phone.go_back()
    phone.get_by_role("link", name=text["cancel"]).click()
    phone.wait_for_url("**/cancel?lang=*")
    assert_accessible(phone, axe_source)
    screenshot(phone, f"registration-cancel-question-{language}-phone")
    phone.get_by_role("button", name=text["confirm"]).click()
    phone.wait_for_url("**notice=cancelled*")
    assert text["cancelled"] in phone.inner_text(".status-card")
    assert_accessible(phone, axe_source)
    screenshot(phone, f"registration-cancelled-{language}-phone")

    phone.get_by_role("button", name=text["again"]).click()
    phone.wait_for_url("**welcome=1*")
    assert text["confirmed"] in phone.inner_text(".status-card")
