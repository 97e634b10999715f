"""The prize page and its form, the nominator's page, and the jury's pages (authenticated like the API)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from tests.conftest import auth
from tests.nominations.conftest import JURORS, PrizeWorld, nomination_body
from tests.web.html import Page

FORM = {k: v for k, v in nomination_body().items() if k != "links"} | {"links": "https://www.uib.no/gamut\n"}
HTML = {"accept": "text/html"}


async def test_prize_page_shows_the_open_call_and_its_form(world: PrizeWorld) -> None:
    response = await world.client.get("/prizes/forskningsprisen?lang=nn")

    assert response.status_code == 200
    doc = Page(response.text)
    assert doc.one("title").text == "Forsknings- og innovasjonsprisen · Møteplass"
    assert len(doc.all("form#nomination-form")) == 1
    assert doc.one("#call-heading").text == "Nominasjonar for 2027"


async def test_nominating_by_form_redirects_to_the_nominators_page(world: PrizeWorld) -> None:
    response = await world.client.post(
        "/prizes/forskningsprisen?lang=nb",
        content=urlencode(FORM),
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    page = await world.client.get(response.headers["location"])

    assert response.status_code == 303
    assert response.headers["location"].startswith("/nominations/N1")
    assert "Takk! Vi har sendt deg en e-post med denne lenken." in page.text
    assert "GAMUT" in page.text


async def test_nominating_with_a_short_justification_shows_the_error(world: PrizeWorld) -> None:
    form = FORM | {"justification": "For kort."}

    response = await world.client.post(
        "/prizes/forskningsprisen?lang=en",
        content=urlencode(form),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 422
    assert Page(response.text).one("#justification-error").text == "Write at least 50 characters."


async def test_juror_scores_on_the_page_and_then_sees_the_others(world: PrizeWorld) -> None:
    nomination = await world.nominate()
    await world.score(1, nomination["id"], [2, 2, 2, 2])
    form = {f"score-{c}": "4" for c in world.criteria} | {f"comment-{world.criteria[0]}": "Sterk"}

    before = await world.client.get(f"/jury/nominations/{nomination['id']}", headers=world.juror(0))
    saved = await world.client.post(
        f"/jury/nominations/{nomination['id']}/scores",
        content=urlencode(form),
        headers={**world.juror(0), "content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    after = await world.client.get(saved.headers["location"], headers=world.juror(0))

    assert before.status_code == 200
    assert "Du ser de andre jurymedlemmenes poeng når du har levert dine egne." in before.text
    assert saved.status_code == 303
    assert re.search(rf"{JURORS[1]}: vektet 2(?![.,\d])", after.text)  # a Norwegian number: no ".0"
    assert "Poengene dine er lagret." in after.text


async def test_jury_pages_refuse_the_organiser_and_other_prizes_jurors(world: PrizeWorld) -> None:
    nomination = await world.nominate()
    path = f"/jury/nominations/{nomination['id']}"

    answers = [
        (await world.client.get(path, headers=auth(token))).status_code for token in (world.organiser, world.outsider)
    ]
    anonymous = await world.client.get(path, follow_redirects=False)

    assert answers == [403, 403]
    assert (anonymous.status_code, anonymous.headers["location"]) == (
        303,
        f"/console/sign-in?next=%2Fjury%2Fnominations%2F{nomination['id']}",
    )


async def test_jury_unsigned_is_sent_to_sign_in_and_the_form_returns_there(world: PrizeWorld) -> None:
    plain = await world.client.get("/jury?lang=nn", follow_redirects=False)
    browser = await world.client.get("/jury?lang=nn", headers=HTML, follow_redirects=False)
    sign_in = await world.client.get(browser.headers["location"])

    assert (plain.status_code, plain.headers["location"]) == (303, "/console/sign-in?next=%2Fjury%3Flang%3Dnn")
    assert (browser.status_code, browser.headers["location"]) == (303, "/console/sign-in?next=%2Fjury%3Flang%3Dnn")
    assert [e.attrs["value"] for e in Page(sign_in.text).all("input") if e.attrs.get("name") == "next"] == [
        "/jury?lang=nn"
    ]


async def test_jury_page_refused_to_a_non_juror_is_a_page_in_their_language(world: PrizeWorld) -> None:
    refused = await world.client.get("/jury?lang=nn", headers=auth(world.organiser) | HTML)
    missing = await world.client.get(
        "/jury/nominations/00000000-0000-4000-8000-000000000000?lang=en", headers=world.juror(0) | HTML
    )

    assert (refused.status_code, refused.headers["content-type"].split(";")[0]) == (403, "text/html")
    assert Page(refused.text).one("h1").text == "Berre jurymedlemer kan gjere dette"
    assert (missing.status_code, missing.headers["content-type"].split(";")[0]) == (404, "text/html")
    assert Page(missing.text).one("h1").text == "The nomination does not exist"
