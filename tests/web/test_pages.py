"""The public pages: the event list and an event's page, in bokmål, nynorsk and English."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.conftest import Clock, auth
from tests.web.html import Page
from tests.web.test_translations import catalog_of

Client = AsyncTestClient[Any]
MakeEvent = Callable[..., Awaitable[dict[str, Any]]]

HTML = {"Accept": "text/html,application/xhtml+xml"}


def language_switch(page: Page) -> list[tuple[str, str, str, str]]:
    """(name, href, hreflang, aria-current) of each link in the language switch."""
    return [
        (link.text, link.attrs["href"], link.attrs["hreflang"], link.attrs.get("aria-current", ""))
        for link in page.all("a")
        if "hreflang" in link.attrs
    ]


@pytest.mark.parametrize(
    ("language", "heading", "card", "nav_label", "footer"),
    [
        (
            "nb",
            "Kommende arrangementer",
            "Konferanse Kunnskapskommunekonferansen 2027 torsdag 10. juni 2027 kl. 09:00 · Alrek helseklynge "
            "Påmeldingen er åpen til tirsdag 1. juni 2027 kl. 23:59 · 300 ledige plasser",
            "Språk",
            "Møteplass drives av Kunnskapskommunen Helse Omsorg Vest og Alrek helseklynge i Bergen.",
        ),
        (
            "nn",
            "Komande arrangement",
            "Konferanse Kunnskapskommunekonferansen 2027 torsdag 10. juni 2027 kl. 09:00 · Alrek helseklynge "
            "Påmeldinga er open til tysdag 1. juni 2027 kl. 23:59 · 300 ledige plassar",
            "Språk",
            "Møteplass blir driven av Kunnskapskommunen Helse Omsorg Vest og Alrek helseklynge i Bergen.",
        ),
        (
            "en",
            "Upcoming events",
            "Conference The Knowledge Municipality Conference 2027 Thursday 10 June 2027, 09:00 · Alrek helseklynge "
            "Registration open until Tuesday 1 June 2027, 23:59 · 300 seats left",
            "Language",
            "Møteplass is run by Kunnskapskommunen Helse Omsorg Vest and Alrek helseklynge in Bergen.",
        ),
    ],
)
async def test_event_list_in_each_language(
    client: Client, make_event: MakeEvent, language: str, heading: str, card: str, nav_label: str, footer: str
) -> None:
    await make_event()

    response = await client.get(f"/?lang={language}", headers=HTML)

    page = Page(response.text)
    assert (response.status_code, response.headers["content-type"], response.headers["content-language"]) == (
        200,
        "text/html; charset=utf-8",
        language,
    )
    assert page.one("html").attrs["lang"] == language
    assert page.one("h1").text == heading
    assert page.texts("li.event-card") == [card]
    assert page.one("nav").attrs["aria-label"] == nav_label
    assert page.one("footer").text == f"{footer} {FOOTER_LINKS[language]}"


# The footer's links to the privacy notice and the accessibility statement (service/privacy/pages.py).
FOOTER_LINKS = {
    "nb": "Personvernerklæring Tilgjengelighetserklæring",
    "nn": "Personvernerklæring Tilgjengelegheitserklæring",
    "en": "Privacy notice Accessibility statement",
}


async def test_event_list_shows_only_published_events_that_are_not_over(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="draft-day", status="draft")
    await make_event(
        slug="last-year",
        starts_at="2026-06-10T09:00:00+02:00",
        ends_at="2026-06-10T16:00:00+02:00",
        registration_opens_at=None,
        registration_closes_at=None,
    )
    await make_event(
        slug="alrek-intro-september",
        kind="workshop",
        title={"nb": "INTRO september"},
        starts_at="2027-09-16T09:00:00+02:00",
        ends_at="2027-09-16T15:00:00+02:00",
    )
    await make_event()

    page = Page((await client.get("/?lang=nb", headers=HTML)).text)

    assert [link.attrs["href"] for link in page.all("a") if link.attrs["href"].startswith("/events/")] == [
        "/events/kk-konferansen-2027?lang=nb",
        "/events/alrek-intro-september?lang=nb",
    ]
    assert page.texts("p.event-kind") == ["Konferanse", "Workshop"]


async def test_event_list_says_so_when_there_are_no_events(client: Client) -> None:
    response = await client.get("/", headers={**HTML, "Accept-Language": "nn-NO,nn;q=0.9,en;q=0.5"})

    page = Page(response.text)
    assert (page.one("html").attrs["lang"], page.one("main").text) == (
        "nn",
        "Komande arrangement Konferansar og workshopar frå Kunnskapskommunen Helse Omsorg Vest og Alrek helseklynge. "
        "Det er ingen komande arrangement akkurat no.",
    )
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    ("language", "facts", "button"),
    [
        (
            "nb",
            [
                ("Når", "torsdag 10. juni 2027 kl. 09:00–16:00"),
                ("Hvor", "Alrek helseklynge, Årstadveien 17, 5009 Bergen"),
                ("Arrangør", "Kunnskapskommunen Helse Omsorg Vest"),
                ("Plasser", "300 ledige plasser"),
                ("Påmelding", "Påmeldingen er åpen til tirsdag 1. juni 2027 kl. 23:59"),
            ],
            "Meld deg på",
        ),
        (
            "nn",
            [
                ("Når", "torsdag 10. juni 2027 kl. 09:00–16:00"),
                ("Kvar", "Alrek helseklynge, Årstadveien 17, 5009 Bergen"),
                ("Arrangør", "Kunnskapskommunen Helse Omsorg Vest"),
                ("Plassar", "300 ledige plassar"),
                ("Påmelding", "Påmeldinga er open til tysdag 1. juni 2027 kl. 23:59"),
            ],
            "Meld deg på",
        ),
        (
            "en",
            [
                ("When", "Thursday 10 June 2027, 09:00–16:00"),
                ("Where", "Alrek helseklynge, Årstadveien 17, 5009 Bergen"),
                ("Organiser", "Kunnskapskommunen Helse Omsorg Vest"),
                ("Seats", "300 seats left"),
                ("Registration", "Registration open until Tuesday 1 June 2027, 23:59"),
            ],
            "Register",
        ),
    ],
)
async def test_event_page_in_each_language(
    client: Client, make_event: MakeEvent, language: str, facts: list[tuple[str, str]], button: str
) -> None:
    await make_event(
        address="Årstadveien 17, 5009 Bergen",
        organiser_name="Kunnskapskommunen Helse Omsorg Vest",
        description={
            "nb": "Årets konferanse.\n\nVelkommen!",
            "nn": "Årets konferanse.\n\nVelkomen!",
            "en": "This year's conference.\n\nWelcome!",
        },
    )

    response = await client.get(f"/events/kk-konferansen-2027?lang={language}", headers=HTML)

    page = Page(response.text)
    assert (response.status_code, response.headers["content-language"]) == (200, language)
    assert page.one("html").attrs["lang"] == language
    assert list(zip(page.texts("dt"), page.texts("dd"), strict=True)) == facts
    assert (
        page.texts("p.event-description")
        == {
            "nb": ["Årets konferanse.", "Velkommen!"],
            "nn": ["Årets konferanse.", "Velkomen!"],
            "en": ["This year's conference.", "Welcome!"],
        }[language]
    )
    register = page.one("a#register")
    assert (register.text, register.attrs["href"]) == (button, f"/events/kk-konferansen-2027/register?lang={language}")


async def test_event_page_offers_the_waiting_list_when_full(client: Client, make_event: MakeEvent) -> None:
    await make_event(capacity=0)

    page = Page((await client.get("/events/kk-konferansen-2027?lang=nn", headers=HTML)).text)

    assert (page.one("dd#seats").text, page.one("a#register").text) == (
        "Fullt – ventelista er open",
        "Meld deg på ventelista",
    )


async def test_event_page_before_registration_opens_has_no_register_button(
    client: Client, make_event: MakeEvent
) -> None:
    await make_event(registration_opens_at="2027-04-01T09:00:00+02:00")

    page = Page((await client.get("/events/kk-konferansen-2027?lang=nb", headers=HTML)).text)

    assert page.one("dd#registration-status").text == "Påmeldingen åpner torsdag 1. april 2027 kl. 09:00"
    assert page.all("a#register") == []


async def test_event_page_after_registration_closed(client: Client, make_event: MakeEvent, clock: Clock) -> None:
    await make_event()
    clock.advance(days=100)

    page = Page((await client.get("/events/kk-konferansen-2027?lang=en", headers=HTML)).text)

    assert (page.one("dd#registration-status").text, page.all("a#register")) == ("Registration is closed", [])


async def test_cancelled_event_page_says_so(client: Client, make_event: MakeEvent, organiser_token: str) -> None:
    await make_event()
    cancelled = await client.patch(
        "/api/v1/events/kk-konferansen-2027", json={"status": "cancelled"}, headers=auth(organiser_token)
    )

    page = Page((await client.get("/events/kk-konferansen-2027?lang=nn", headers=HTML)).text)

    assert cancelled.status_code == 200, cancelled.text
    assert page.one("div.ds-alert").text == "Arrangementet er avlyst."
    assert (page.one("dd#registration-status").text, page.all("dd#seats"), page.all("a#register")) == (
        "Arrangementet er avlyst",
        [],
        [],
    )


async def test_event_title_in_another_language_is_marked_with_its_language(
    client: Client, make_event: MakeEvent
) -> None:
    await make_event(title={"nb": "Kunnskapskommunekonferansen 2027"})

    page = Page((await client.get("/events/kk-konferansen-2027?lang=en", headers=HTML)).text)

    heading = page.one("h1")
    assert (heading.text, heading.attrs.get("lang")) == ("Kunnskapskommunekonferansen 2027", "nb")


@pytest.mark.parametrize(
    ("language", "title"),
    [("nb", "Arrangementet finnes ikke"), ("nn", "Arrangementet finst ikkje"), ("en", "The event does not exist")],
)
async def test_draft_event_is_an_html_404_page(
    client: Client, make_event: MakeEvent, language: str, title: str
) -> None:
    await make_event(status="draft")

    response = await client.get(f"/events/kk-konferansen-2027?lang={language}", headers=HTML)

    page = Page(response.text)
    assert (response.status_code, response.headers["content-type"]) == (404, "text/html; charset=utf-8")
    assert (page.one("html").attrs["lang"], page.one("h1").text) == (language, title)


async def test_unknown_page_is_an_html_404_page(client: Client) -> None:
    response = await client.get("/no/such/page", headers={**HTML, "Accept-Language": "nb"})

    assert (response.status_code, response.headers["content-type"]) == (404, "text/html; charset=utf-8")
    assert Page(response.text).one("h1").text == "Ikke funnet"


async def test_api_errors_stay_problem_json_for_browsers(client: Client) -> None:
    response = await client.get("/api/v1/events/kk-konferansen-2027", headers=HTML)

    assert (response.status_code, response.headers["content-type"], response.json()["code"]) == (
        404,
        "application/problem+json",
        "event_not_found",
    )


async def test_unexpected_error_on_a_page_is_an_html_500_page(client: Client, conn: asyncpg.Connection) -> None:
    await conn.execute("ALTER TABLE events RENAME TO events_elsewhere")

    response = await client.get("/?lang=nn", headers=HTML)

    assert (response.status_code, response.headers["content-type"]) == (500, "text/html; charset=utf-8")
    assert Page(response.text).one("h1").text == "Noko gjekk gale hos oss"


async def test_language_choice_is_remembered_in_a_cookie(client: Client, make_event: MakeEvent) -> None:
    await make_event()

    chosen = await client.get("/events/kk-konferansen-2027?lang=en", headers=HTML)
    later = await client.get("/", headers={**HTML, "Accept-Language": "nb"})

    cookie = chosen.headers["set-cookie"]
    assert sorted(part.strip().lower() for part in cookie.split(";")) == [
        "httponly",
        "lang=en",
        "max-age=31536000",
        "path=/",
        "samesite=lax",
    ]
    assert (Page(later.text).one("html").attrs["lang"], later.headers["content-language"]) == ("en", "en")
    assert "set-cookie" not in later.headers


async def test_language_cookie_is_secure_when_the_site_is_served_over_https(settings: Settings) -> None:
    app = create_app(msgspec.structs.replace(settings, secure_cookies=True))

    async with AsyncTestClient(app=app, base_url="https://testserver.local") as https_client:
        response = await https_client.get("/?lang=nn", headers=HTML)

    assert "secure" in [part.strip().lower() for part in response.headers["set-cookie"].split(";")]


async def test_language_switch_links_to_the_same_page_in_each_language(client: Client, make_event: MakeEvent) -> None:
    await make_event()

    page = Page((await client.get("/events/kk-konferansen-2027?lang=nn", headers=HTML)).text)

    assert language_switch(page) == [
        ("Bokmål", "/events/kk-konferansen-2027?lang=nb", "nb", ""),
        ("Nynorsk", "/events/kk-konferansen-2027?lang=nn", "nn", "true"),
        ("English", "/events/kk-konferansen-2027?lang=en", "en", ""),
    ]


def leaked_texts(text: str, language: str) -> list[str]:
    """Texts of another language on a page in `language`: each catalog text (and its English source) that differs
    from this language's translation; placeholders split a text into its parts, and a part this language's
    translation shares (a name) does not count."""
    catalogs = {code: catalog_of(code) for code in ("nb", "nn", "en")}
    leaks = []
    for msgid, forms in catalogs[language].items():
        mine = forms[0]
        others = {msgid} | {catalogs[code].get(msgid, ("",))[0] for code in catalogs if code != language}
        for foreign in others - {mine, ""}:
            for part in re.split(r"%\(\w+\)s", foreign):
                part = part.strip(" .:,·")
                if len(part) >= 12 and part not in mine and part in text:
                    leaks.append(f"{msgid!r}: {part!r}")
    return leaks


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
async def test_pages_show_no_text_of_another_language(
    client: Client, make_event: MakeEvent, organiser_token: str, language: str
) -> None:
    await make_event()
    paths = [
        "/", "/events/kk-konferansen-2027", "/events/kk-konferansen-2027/register", "/no/such/page",
        "/console/sign-in", "/console", "/door", "/jury",
    ]  # fmt: skip

    leaks = {}
    for path in paths:
        response = await client.get(f"{path}?lang={language}", headers=HTML)
        assert response.status_code in (200, 404), (path, response.status_code)
        leaks[path] = leaked_texts(response.text, language)

    assert leaks == {path: [] for path in paths}
