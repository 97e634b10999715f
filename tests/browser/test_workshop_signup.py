"""Signing up for a workshop series on a phone with ranked perspectives, as a person would, with axe-core
(WCAG 2.1 A/AA) on the form, its error state and the manage page; then cancelling every date."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import LiveServer, in_days
from tests.browser.test_public_pages import PHONE, axe_violations, readable

pytestmark = pytest.mark.browser

TEXTS = {
    "nb": {
        "submit": "Meld deg på",
        "errors": "Rett opp dette",
        "first": "Førstevalg",
        "second": "Andrevalg",
        "name": "Navn",
        "email": "E-post",
        "background": "Din bakgrunn",
        "privacy": "Jeg har lest",
        "dates": "Dine datoer i denne serien",
        "cancel_all": "Meld meg av alle datoene i serien",
        "waitlisted": "På venteliste",
    },
    "en": {
        "submit": "Register",
        "errors": "Please correct the following",
        "first": "First choice",
        "second": "Second choice",
        "name": "Name",
        "email": "E-mail",
        "background": "Your background",
        "privacy": "I have read",
        "dates": "Your dates in this series",
        "cancel_all": "Cancel all dates in the series",
        "waitlisted": "On the waiting list",
    },
}


@pytest.fixture(scope="module")
def series(live_server: LiveServer) -> str:
    for slug, days, capacity in (("alrek-juni", 30, 20), ("alrek-september", 120, 0)):
        live_server.create_event(
            slug=slug,
            kind="workshop",
            series="alrek-intro",
            title={"nb": f"INTRO {slug[6:]}", "en": f"INTRO {slug[6:]}"},
            venue="Alrek helseklynge",
            starts_at=in_days(days, 9),
            ends_at=in_days(days, 15),
            capacity=capacity,
            status="published",
        )
        for key, nb, en in (("patient", "Pasient", "Patient"), ("next-of-kin", "Pårørende", "Next of kin")):
            response = live_server.api(
                "POST",
                f"/api/v1/events/{slug}/groups",
                json={
                    "key": key,
                    "name": {"nb": nb, "en": en},
                    "perspective": {"nb": f"Som {nb.lower()}"},
                    "capacity": 10,
                },
            )
            assert response.status_code == 201, response.text
    return "alrek-intro"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="nb-NO", has_touch=True, is_mobile=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def assert_accessible(page: Page, axe: Path) -> None:
    violations = axe_violations(page, axe)
    assert violations == [], readable(violations)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_sign_up_for_a_series_with_ranked_perspectives_on_a_phone(
    phone: Page, live_server: LiveServer, series: str, axe_source: Path, language: str
) -> None:
    text = TEXTS[language]
    phone.goto(f"{live_server.url}/series/{series}/register?lang={language}")
    assert_accessible(phone, axe_source)

    phone.get_by_role("button", name=text["submit"]).click()
    phone.wait_for_selector("#error-summary")
    assert text["errors"] in phone.inner_text("#error-summary")
    assert_accessible(phone, axe_source)

    phone.get_by_label(text["first"]).select_option("next-of-kin")
    phone.get_by_label(text["second"]).select_option("patient")
    phone.get_by_label(text["name"], exact=False).first.fill(f"Kari {language.upper()} Nordmann")
    phone.get_by_label(text["email"], exact=False).first.fill(f"kari.{language}@example.no")
    phone.get_by_label(text["background"]).select_option("student")
    phone.get_by_label(text["privacy"], exact=False).check()
    phone.get_by_role("button", name=text["submit"]).click()
    phone.wait_for_url("**/r/M1*")
    main = phone.inner_text("main")
    assert text["dates"] in main
    assert text["waitlisted"] in main  # September has no seats: waitlisted for that date only
    widths = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]
    assert_accessible(phone, axe_source)

    phone.get_by_role("button", name=text["cancel_all"]).click()
    phone.wait_for_url("**notice=cancelled*")
    assert_accessible(phone, axe_source)
