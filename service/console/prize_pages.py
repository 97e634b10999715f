"""Prizes in the console: the prizes one runs and their calls (create both), a call's jury (by e-mail), its
nominations with the results table (weighted mean, count, spread, recusals, ranks, normalised), decisions
(shortlist, reject with a reason, winner), lock scoring, publish, and the API's CSV exports. Every change goes
through service/nominations."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from ..errors import DomainError
from ..http import Caller, Conn, Now, request_language
from ..i18n import LANGUAGES
from ..nominations import decisions, domain, queries, scoring, views
from ..nominations.access import call_for_organiser, prize_for_organiser, prizes_for
from ..nominations.results import results as compute_results
from ..nominations.schemas import CallIn, DecisionIn, Prize, PrizeIn
from ..problems import TITLES, title_for
from ..types import localized
from . import auditview, forms, listing
from .guard import console_page

LABELS = {
    "slug": "Web address",
    "name_nb": "Name (bokmål)",
    "name_nn": "Name (nynorsk)",
    "name_en": "Name (English)",
    "description_nb": "Description (bokmål)",
    "year": "Year",
    "opens_at": "Nominations open",
    "closes_at": "Nominations close",
    "scoring_closes_at": "Scoring closes",
    "criteria": "Criteria",
    "jury": "Jury",
    "event": "Event",
    "form": "The form",
}
ERRORS = {
    **forms.ERROR_TEXTS,
    **{code: TITLES[code] for code in ("prize_slug_taken", "call_year_taken", "not_a_juror", "event_not_found")},
    "invalid_criteria": "Write one criterion per line: its name, a bar and its weight, like Impact | 2.",
}


def prize_values(form: dict[str, str]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"slug": form.get("slug", "").strip()}
    names = {code: form.get(f"name_{code}", "").strip() for code in LANGUAGES}
    values["name"] = {code: text for code, text in names.items() if text}
    description = form.get("description_nb", "").strip()
    values["description"] = {"nb": description} if description else None
    for field, empty in (("slug", not values["slug"]), ("name_nb", not names["nb"])):
        if empty:
            errors[field] = "required"
    if errors:
        raise forms.FormErrors(errors)
    return values


def call_values(form: dict[str, str]) -> dict[str, Any]:
    """The call form as CallIn's JSON: criteria one per line as `name | weight`, jury one address per line."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"year": form.get("year", "").strip()}
    if not values["year"].isdigit() or len(values["year"]) != 4:
        errors["year"] = "invalid_number"
    else:
        values["year"] = int(values["year"])
    for name in ("opens_at", "closes_at", "scoring_closes_at"):
        try:
            values[name] = forms.parse_local_time(form.get(name, ""))
        except ValueError:
            errors[name] = "invalid_datetime"
        if values.get(name) is None and name not in errors:
            errors[name] = "required"
    criteria = []
    for line in form.get("criteria", "").splitlines():
        if not line.strip():
            continue
        name, bar, weight = line.rpartition("|")
        try:
            criteria.append({"name": {"nb": name.strip()}, "weight": float(weight.strip().replace(",", "."))})
        except ValueError:
            errors["criteria"] = "invalid_criteria"
        if not bar or not name.strip():
            errors["criteria"] = "invalid_criteria"
    if not criteria:
        errors.setdefault("criteria", "required")
    values["criteria"] = criteria
    values["jury"] = [line.strip() for line in form.get("jury", "").splitlines() if line.strip()]
    values["event"] = form.get("event", "").strip() or None
    if errors:
        raise forms.FormErrors(errors)
    return values


def _errors_of(error: forms.FormError) -> dict[str, str]:
    """A prize form shows an error of a nested field (a criterion's weight, one juror) by the whole field."""
    errors = forms.errors_of(error)
    return {field if field in LABELS else field.split("[")[0].split("_")[0]: code for field, code in errors.items()}


class PrizePages(Controller):
    path = "/console"
    include_in_schema = False

    dependencies = forms.FORM_PAGES

    async def _prizes_page(self, console: forms.Console, state: forms.State) -> Template:
        prizes = await prizes_for(console.conn, console.principal)
        calls = {prize.id: await queries.calls_of_prize(console.conn, prize.id) for prize in prizes}
        return console.page(
            "console/prizes.html", state, (LABELS, ERRORS), section="prizes", prizes=prizes, calls=calls
        )

    @get("/prizes")
    async def prizes(self, console: forms.Page) -> Template:
        return await self._prizes_page(console, ({}, {}))

    @post("/prizes", status_code=303)
    async def create_prize(self, data: forms.FormData, console: forms.Page) -> Response[Any]:
        await prizes_for(console.conn, console.principal)

        async def create() -> str:
            body = forms.convert(prize_values(data), PrizeIn)
            name, description = localized(body.name), localized(body.description)
            prize = await domain.create_prize(
                console.conn, slug=body.slug, name=name, description=description, actor=console.principal
            )
            return f"/console/prizes/{prize.slug}"

        return await console.submit(create, lambda errors: self._prizes_page(console, (data, errors)), _errors_of)

    async def _prize_page(self, console: forms.Console, prize: Prize, state: forms.State) -> Template:
        calls = await queries.calls_of_prize(console.conn, prize.id)
        return console.page("console/prize.html", state, (LABELS, ERRORS), section="prizes", prize=prize, calls=calls)

    @get("/prizes/{slug:str}/audit")
    async def audit(self, slug: FromPath[str], console: forms.Page, before: auditview.Before = "") -> Template:
        """The prize's audit trail: its organisers' and jury's decisions and the lists downloaded."""
        prize = await prize_for_organiser(console.conn, slug, console.principal)
        entries = await listing.prize_audit_of(
            console.conn, prize.id, before=auditview.before_of(before), limit=auditview.PAGE
        )
        return console_page(
            console.request,
            "console/prize_audit.html",
            console.principal,
            section="prizes",
            prize=prize,
            entries=entries,
            older_href=auditview.older_link(entries),
            audit_actions=auditview.PRIZE_ACTIONS,
            history_actions={},
            dumps=auditview.details,
        )

    @get("/prizes/{slug:str}")
    async def prize(self, slug: FromPath[str], console: forms.Page) -> Template:
        prize = await prize_for_organiser(console.conn, slug, console.principal)
        return await self._prize_page(console, prize, ({"criteria": "Nyskaping | 1\nOverføringsverdi | 1"}, {}))

    @post("/prizes/{slug:str}/calls", status_code=303)
    async def create_call(self, slug: FromPath[str], data: forms.FormData, console: forms.Page) -> Response[Any]:
        prize = await prize_for_organiser(console.conn, slug, console.principal)

        async def create() -> str:
            body = forms.convert(call_values(data), CallIn)
            call = await domain.create_call(console.conn, prize, body, actor=console.principal, now=console.now)
            return f"/console/calls/{call.id}"

        return await console.submit(create, lambda errors: self._prize_page(console, prize, (data, errors)), _errors_of)

    @get("/calls/{call_id:uuid}")
    async def call(
        self, call_id: FromPath[UUID], request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now
    ) -> Template:
        """A call: its jury, nominations with results and decisions, locking, publishing and exports."""
        call = await call_for_organiser(conn, call_id, principal)
        prize = await queries.prize_by_id(conn, call.prize_id)
        error = request.query_params.get("error")
        return console_page(
            request,
            "console/call.html",
            principal,
            section="prizes",
            prize=prize,
            call=await views.call_out(conn, call, now, with_jury=True),
            results=await compute_results(conn, call),
            notice=request.query_params.get("notice"),
            problem=title_for(error, request_language(request)) if error else None,
        )

    @post("/calls/{call_id:uuid}/jury", status_code=303)
    async def set_jury(
        self, call_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]], conn: Conn, principal: Caller
    ) -> Redirect:
        call = await call_for_organiser(conn, call_id, principal)
        emails = [line.strip() for line in data.get("jury", "").splitlines() if line.strip()]
        return await _act(call_id, "jury", domain.set_jury(conn, call, emails, actor=principal))

    @post("/calls/{call_id:uuid}/lock", status_code=303)
    async def lock(self, call_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now) -> Redirect:
        call = await call_for_organiser(conn, call_id, principal)
        return await _act(call_id, "locked", scoring.lock_scoring(conn, call, actor=principal, now=now))

    @post("/calls/{call_id:uuid}/publish", status_code=303)
    async def publish(self, call_id: FromPath[UUID], conn: Conn, principal: Caller, now: Now) -> Redirect:
        call = await call_for_organiser(conn, call_id, principal)
        return await _act(call_id, "published", decisions.publish(conn, call, actor=principal, now=now))

    @post("/calls/{call_id:uuid}/decision/{nomination_id:uuid}", status_code=303)
    async def decide(
        self,
        call_id: FromPath[UUID],
        nomination_id: FromPath[UUID],
        data: URLEncodedBody[dict[str, str]],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> Redirect:
        """Shortlist, reject (with a reason) or choose the winner."""
        await call_for_organiser(conn, call_id, principal)
        nomination = await queries.nomination_by_id(conn, nomination_id)
        if nomination is None or nomination.call_id != call_id:
            return Redirect(f"/console/calls/{call_id}?error=nomination_not_found", status_code=303)
        try:
            body = msgspec.convert({"status": data.get("status", ""), "reason": data.get("reason", "")}, DecisionIn)
        except msgspec.ValidationError:
            return Redirect(f"/console/calls/{call_id}?error=malformed_request", status_code=303)
        return await _act(call_id, "decided", decisions.decide(conn, nomination_id, body, actor=principal, now=now))


async def _act(call_id: UUID, notice: str, action: Any) -> Redirect:
    """Run a prize action; a refusal (scoring locked, no winner, a reason missing…) shows on the call's page."""
    try:
        await action
    except DomainError as error:
        if error.status in (401, 403, 404):
            raise
        return Redirect(f"/console/calls/{call_id}?error={error.code}", status_code=303)
    return Redirect(f"/console/calls/{call_id}?notice={notice}", status_code=303)
