"""Workshop pages: signing up for one workshop or a whole series with ranked perspectives, cancelling a whole
series from a manage link, and what the manage page and ticket show of a person's group and dates."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from .. import ratelimit
from ..errors import DomainError
from ..events import domain as events
from ..events.schemas import Event
from ..hooks import REGISTRATION_END_HOOKS
from ..http import Config, Conn, Now, request_language
from ..problems import field_of
from ..registrations import links
from ..registrations.access import by_code
from ..registrations.domain import ATTENDEE
from ..registrations.pages import ERROR_TEXTS, FIELD_LABELS, ROLE_LABELS, form_errors, manage_page
from ..registrations.schemas import PARTNERS
from ..settings import Settings
from ..web.forms import code_of_validation
from ..web.render import page as render_page
from . import domain, queries, series
from .manage import MAX_RANKS, RANK_LABELS, ranking_from_form
from .schemas import Group, SeriesRegistrationIn

FIELDS = ("name", "email", "organisation", "role", "dietary", "accessibility", "language")
WORKSHOP_FIELD_LABELS = {
    **FIELD_LABELS,
    "role": "Your background",
    "perspectives": "Perspectives",
    "events": "Dates",
}
WORKSHOP_ERROR_TEXTS = {
    **ERROR_TEXTS,
    "perspectives_required": "Choose at least your first choice of perspective.",
    "duplicate_perspective": "Choose each perspective only once.",
    "unknown_group": "Choose one of the perspectives listed.",
    "dates_required": "Choose at least one date.",
    "groups_published": "The groups are published, so your ranking can no longer be changed here. Write to the "
    "organisers if you need another group.",
    "already_cancelled": "Your registration is cancelled.",
}


def _form_to_input(form: dict[str, str], dates: list[tuple[Event, list[Group]]]) -> dict[str, Any]:
    data: dict[str, Any] = {name: form.get(name, "").strip() for name in FIELDS}
    data["role"] = data["role"] or None
    if not data["language"]:
        del data["language"]
    data["accept_privacy"] = form.get("accept_privacy") == "yes"
    data["perspectives"] = ranking_from_form(form) or None
    if len(dates) > 1:
        data["events"] = [e.slug for e, _ in dates if form.get(f"date_{e.slug}") == "yes"] or None
    else:
        data["events"] = [dates[0][0].slug]
    return data


def perspectives_of(dates: list[tuple[Event, list[Group]]]) -> list[Group]:
    """Each perspective once (by key), in the order the first date that has it lists it."""
    seen: dict[str, Group] = {}
    for _, groups in dates:
        for group in groups:
            seen.setdefault(group.key, group)
    return list(seen.values())


class WorkshopPages(Controller):
    include_in_schema = False

    def _form(
        self,
        request: Request[Any, Any, Any],
        dates: list[tuple[Event, list[Group]]],
        action: str,
        now: Any,
        **context: Any,
    ) -> Template:
        perspectives = perspectives_of(dates)
        return render_page(
            request,
            "workshops/signup.html",
            dates=dates,
            states={e.slug: e.registration_state(now) for e, _ in dates},
            perspectives=perspectives,
            ranks=RANK_LABELS[: min(MAX_RANKS, len(perspectives))],
            action=action,
            partners=PARTNERS,
            roles=ROLE_LABELS,
            field_labels=WORKSHOP_FIELD_LABELS,
            error_texts=WORKSHOP_ERROR_TEXTS,
            **context,
        )

    @get("/series/{series_slug:str}/register")
    async def series_form(
        self, series_slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, now: Now
    ) -> Template:
        dates = await series.series_dates(conn, series_slug)
        return self._form(
            request, dates, f"/series/{series_slug}/register", now, values={}, errors={}, series=series_slug
        )

    @get("/workshops/{slug:str}/register")
    async def workshop_form(
        self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, now: Now
    ) -> Template:
        event = await events.get_event(conn, slug)
        dates = [(event, await queries.groups(conn, event.id))]
        return self._form(request, dates, f"/workshops/{slug}/register", now, values={}, errors={}, series=None)

    @post("/series/{series_slug:str}/register", status_code=303)
    async def series_submit(
        self,
        series_slug: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        now: Now,
        settings: Config,
    ) -> Response[Any]:
        await ratelimit.limit(request, conn, data.get("email"), now=now)
        dates = await series.series_dates(conn, series_slug)
        return await self._submit(request, conn, settings, now, series_slug, dates, data, series_slug)

    @post("/workshops/{slug:str}/register", status_code=303)
    async def workshop_submit(
        self,
        slug: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        now: Now,
        settings: Config,
    ) -> Response[Any]:
        await ratelimit.limit(request, conn, data.get("email"), now=now)
        event = await events.get_event(conn, slug)
        dates = [(event, await queries.groups(conn, event.id))]
        return await self._submit(request, conn, settings, now, "", dates, data, None)

    async def _submit(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        settings: Settings,
        now: Any,
        series_slug: str,
        dates: list[tuple[Event, list[Group]]],
        form: dict[str, str],
        shown_series: str | None,
    ) -> Response[Any]:
        language = request_language(request)
        values = _form_to_input(form, dates)
        errors = {"events": "dates_required"} if values["events"] is None else {}
        errors |= {k: v for k, v in form_errors(values, [], SeriesRegistrationIn).items() if k not in errors}
        if not errors:
            try:
                attendee = msgspec.convert(values, SeriesRegistrationIn)
                if series_slug:
                    created, _already = await series.register_for_series(conn, series_slug, attendee, now=now)
                else:
                    created, _already = await series.register_for_dates(conn, dates, attendee, now=now)
            except msgspec.ValidationError as error:
                errors[field_of(error, top=True) or "form"] = code_of_validation(error)
            except DomainError as error:
                if error.code == "already_registered":
                    return Redirect(f"/events/{dates[0][0].slug}/registered?lang={language}", status_code=303)
                errors[(error.field or "form").split("[")[0]] = error.code
            else:
                return Redirect(f"{links.manage_url(settings, created[0][1])}?welcome=1", status_code=303)
        action = f"/series/{shown_series}/register" if shown_series else f"/workshops/{dates[0][0].slug}/register"
        template = self._form(request, dates, action, now, values=form, errors=errors, series=shown_series)
        template.status_code = 422
        return template

    @post("/r/{code:str}/cancel-series", status_code=303)
    async def cancel_series(self, code: FromPath[str], conn: Conn, settings: Config, now: Now) -> Redirect:
        registration = await by_code(conn, settings, links.MANAGE, code)
        await series.cancel_series(conn, registration, actor="attendee", now=now, end_hooks=REGISTRATION_END_HOOKS)
        return Redirect(f"/r/{code}?notice=cancelled", status_code=303)

    @post("/r/{code:str}/perspectives", status_code=303)
    async def rank_again(
        self,
        code: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        settings: Config,
        now: Now,
    ) -> Response[Any]:
        """The manage page's ranking form, through the API's domain function; a refusal shows the form again with
        the choices just made and what was wrong."""
        registration = await by_code(conn, settings, links.MANAGE, code)
        try:
            await domain.change_ranking(conn, registration.id, ranking_from_form(data), actor=ATTENDEE, now=now)
        except DomainError as error:
            return await manage_page(
                request,
                conn,
                settings,
                registration,
                code,
                now=now,
                status_code=422,
                ranking_values=data,
                ranking_errors={"perspectives": error.code},
                ranking_error_texts=WORKSHOP_ERROR_TEXTS,
            )
        return Redirect(f"/r/{code}?notice=perspectives&lang={request_language(request)}#perspectives", status_code=303)
