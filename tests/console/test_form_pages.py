"""The console's one form-page helper (service/console/forms.py): convert → act → redirect, the form again with
every error (422, or 403 for a refused field), and the person's own refusals passed through; and each console
form, sent empty, shown again with its errors and nothing stored."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
import pytest
from litestar.response import Redirect, Template

from service.console import forms
from service.errors import DomainError, Forbidden, Invalid, NotFound, Unauthorized
from service.events.schemas import EventIn
from tests.conftest import Client, MakeEvent
from tests.console.conftest import HTML, add_console_user, form_token, sign_in
from tests.web.html import Page


def shown(errors: dict[str, str]) -> Template:
    return Template(template_name="form.html", context={"errors": errors})


async def outcome_of(error: Exception | None = None, result: Any = "/done") -> Any:
    async def act() -> Any:
        if error is not None:
            raise error
        return result

    return await forms.submit(act, shown)


async def test_submit_redirects_to_the_path_the_action_returns() -> None:
    response = await outcome_of()

    assert isinstance(response, Redirect)
    assert (response.status_code, response.url) == (303, "/done")


async def test_submit_shows_every_form_error_again_with_422() -> None:
    page = await outcome_of(forms.FormErrors({"name": "required", "email": "invalid"}))

    assert (page.status_code, page.context["errors"]) == (422, {"name": "required", "email": "invalid"})


async def test_submit_names_every_field_the_schema_refuses() -> None:
    with pytest.raises(forms.FormErrors) as refused:
        forms.convert({"slug": "A", "title": {"nb": ""}}, EventIn)
    page = await outcome_of(refused.value)

    assert page.status_code == 422
    assert page.context["errors"] == {
        "slug": "invalid",
        "kind": "required",
        "title_nb": "required",
        "starts_at": "required",
        "ends_at": "required",
        "capacity": "required",
    }


async def test_submit_shows_a_validation_error_on_its_field() -> None:
    with pytest.raises(msgspec.ValidationError) as refused:
        msgspec.convert({}, EventIn)

    page = await outcome_of(refused.value)

    assert (page.status_code, page.context["errors"]) == (422, {"slug": "required"})


async def test_submit_shows_a_domain_refusal_of_the_form_on_its_field() -> None:
    page = await outcome_of(Invalid("invalid_time", "ends before it starts", field="ends_at"))

    assert (page.status_code, page.context["errors"]) == (422, {"ends_at": "invalid_time"})


async def test_submit_shows_a_refused_field_with_403() -> None:
    page = await outcome_of(Forbidden("not_series_organiser", "not yours", field="series"))

    assert (page.status_code, page.context["errors"]) == (403, {"series": "not_series_organiser"})


@pytest.mark.parametrize(
    "error",
    [
        Unauthorized("unauthorized", "sign in"),
        Forbidden("forbidden", "not allowed"),
        NotFound("event_not_found", "no such event"),
    ],
    ids=["401", "403", "404"],
)
async def test_submit_passes_the_persons_own_refusals_through(error: Any) -> None:
    with pytest.raises(DomainError) as raised:
        await outcome_of(error)

    assert raised.value is error


async def test_submit_returns_a_page_the_action_gives_as_it_is() -> None:
    confirm = Template(template_name="confirm.html")

    response = await outcome_of(result=confirm)

    assert response is confirm


@pytest.fixture
async def kk(make_event: MakeEvent) -> dict[str, Any]:
    return await make_event(slug="kk")


EMPTY_FORMS = {
    "new event": ("/console/new-event", "/console/new-event", {"slug", "title_nb", "starts_at", "capacity"}),
    "event": ("/console/events/kk", "/console/events/kk", {"title_nb", "starts_at", "capacity"}),
    "question": ("/console/events/kk/questions", "/console/events/kk/questions", {"label_nb"}),
    "announcement": (
        "/console/events/kk/announcements",
        "/console/events/kk/announcements",
        {"subject_nb", "body_nb"},
    ),
    "session": ("/console/events/kk/programme/new", "/console/events/kk/programme/new", {"title_nb"}),
    "door": ("/console/events/kk/doors", "/console/events/kk/doors", {"name"}),
    "prize": ("/console/prizes", "/console/prizes", {"slug", "name_nb"}),
}


@pytest.mark.parametrize("name", list(EMPTY_FORMS))
async def test_an_empty_console_form_is_shown_again_with_its_errors(
    signed_in: Any, post_form: Any, kk: Any, conn: asyncpg.Connection, name: Any
) -> None:
    page_path, action, expected = EMPTY_FORMS[name]
    before = await conn.fetchval("SELECT count(*) FROM audit_log")

    response = await post_form(page_path, action, {"keep": "kept"})
    page = Page(response.text)
    summary = Page(response.text.split('id="error-summary"', 1)[-1].split("</div>", 1)[0])
    linked = {link.attrs["href"].lstrip("#") for link in summary.all("a")}

    assert response.status_code == 422, response.text
    assert expected <= linked, linked
    assert "autofocus" in page.one("#error-summary").attrs
    assert await conn.fetchval("SELECT count(*) FROM audit_log") == before


async def test_a_console_form_keeps_what_was_typed(signed_in: Any, post_form: Any, kk: Any) -> None:
    response = await post_form("/console/events/kk/doors", "/console/events/kk/doors", {"name": "x" * 300})
    page = Page(response.text)

    assert response.status_code == 422
    assert page.one("#name").attrs["value"] == "x" * 300
    assert page.one("#name-error").text == "Dette er for langt."


async def test_another_organisers_form_passes_the_refusal_through(
    client: Client, kk: Any, conn: asyncpg.Connection
) -> None:
    await add_console_user(conn, "per@example.no", "organiser")
    await sign_in(client, "per@example.no")
    token = await form_token(client, "/console")

    response = await client.post(
        "/console/events/kk/doors", data={"name": "Inngang", "csrf_token": token}, headers=HTML, follow_redirects=False
    )

    assert response.status_code == 403
    assert "error-summary" not in response.text
