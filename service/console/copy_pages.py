"""Next year's event from the console: the event page's button opens a form asking the copy's address and start
(the one form-page way, service/console/forms.py); the copy itself is service/eventcopy's."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from ..eventcopy import domain as eventcopy
from ..eventcopy.schemas import CopyIn
from ..events.schemas import Event
from . import forms

_YEAR = re.compile(r"(19|20)\d\d")
A_YEAR_LATER = timedelta(weeks=52)  # the same weekday, a year on


def suggested_values(event: Event) -> dict[str, str]:
    """The form's first values: the address with its year moved on (or `-kopi`), the start 52 weeks later."""
    found = list(_YEAR.finditer(event.slug))
    if found:
        last = found[-1]
        slug = f"{event.slug[: last.start()]}{int(last.group()) + 1}{event.slug[last.end() :]}"
    else:
        slug = f"{event.slug[:75]}-kopi"
    return {"slug": slug, "starts_at": forms.local_time_value(event.starts_at + A_YEAR_LATER)}


def copy_values(form: dict[str, str]) -> dict[str, Any]:
    """The form as CopyIn's JSON. Raises FormErrors for a missing address or a missing or unreadable time."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"slug": form.get("slug", "").strip()}
    if not values["slug"]:
        errors["slug"] = "required"
    try:
        values["starts_at"] = forms.parse_local_time(form.get("starts_at", ""))
    except ValueError:
        errors["starts_at"] = "invalid_datetime"
    else:
        if values["starts_at"] is None:
            errors["starts_at"] = "required"
    if errors:
        raise forms.FormErrors(errors)
    return values


class CopyPages(Controller):
    path = "/console"
    include_in_schema = False
    dependencies = forms.FORM_PAGES

    @staticmethod
    def _page(console: forms.Console, event: Event, state: forms.State) -> Template:
        return console.page("console/event_copy.html", state, event=event, section="event")

    @get("/events/{slug:str}/copy")
    async def copy_form(self, slug: FromPath[str], console: forms.Page) -> Template:
        event = await console.event(slug)
        return self._page(console, event, (suggested_values(event), {}))

    @post("/events/{slug:str}/copy", status_code=303)
    async def copy(self, slug: FromPath[str], data: forms.FormData, console: forms.Page) -> Response[Any]:
        event = await console.event(slug)

        async def copy() -> str:
            body = forms.convert(copy_values(data), CopyIn)
            made, _ = await eventcopy.copy_event(console.conn, slug, body, actor=console.principal, now=console.now)
            return f"/console/events/{made.slug}?notice=copied"

        return await console.submit(copy, lambda errors: self._page(console, event, (data, errors)))
