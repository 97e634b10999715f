"""HTML pages: the prize page with its nomination form, the nominator's link, and the jury's workspace.

The jury pages authenticate through the shared `Caller` dependency like the API (a bearer token today, the
console's session cookie once it lands). Organisers' pages belong to the console and are not here.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from .. import ratelimit
from ..accounts.schemas import Principal
from ..console import sessions
from ..console.guard import csrf_fields
from ..errors import DomainError, Forbidden
from ..http import Caller, Conn, Now, request_language
from ..problems import field_of
from ..web import forms
from ..web.render import page as render_page
from . import domain, queries, scoring, views
from .access import get_call, nomination_for, standing_on_call
from .schemas import (
    JUSTIFICATION_MAX,
    JUSTIFICATION_MIN,
    RELATION_MAX,
    TITLE_MAX,
    CriterionScoreIn,
    NominationIn,
    ScoresIn,
)

FIELDS = (
    "nominee_kind",
    "nominee_name",
    "nominee_organisation",
    "nominee_email",
    "title",
    "justification",
    "nominator_name",
    "nominator_email",
    "nominator_relation",
    "language",
)
FIELD_LABELS = {
    "nominee_kind": "Who do you nominate?",
    "nominee_name": "Name of the person, group or project",
    "nominee_organisation": "Their organisation",
    "nominee_email": "Their e-mail address",
    "title": "Title of the work",
    "justification": "Why they deserve the prize",
    "links": "Links",
    "nominator_name": "Your name",
    "nominator_email": "Your e-mail address",
    "nominator_relation": "Your relation to the nominee",
    "scores": "Scores",
    "form": "The form",
}
KIND_LABELS = {"person": "A person", "group": "A group", "project": "A project"}
ERROR_TEXTS = {
    **forms.ERROR_TEXTS,
    "nominee_kind.required": "Choose whether you nominate a person, a group or a project.",
    "nominator_name.required": "Write your name.",
    "nominator_email.required": "Write your e-mail address, like name@kommune.no.",
    "nominator_email.invalid": "Check the e-mail address: it should look like name@kommune.no, with no spaces.",
    "nominee_email.invalid": "Check the e-mail address: it should look like name@kommune.no, with no spaces.",
    "too_short": "Write at least %(min)s characters.",
    "nominations_closed": "Nominations are closed.",
    "nominations_not_open": "Nominations have not opened yet.",
    "incomplete_scores": "Score every criterion.",
}
LIMITS = {"title": TITLE_MAX, "justification": JUSTIFICATION_MAX, "nominator_relation": RELATION_MAX}


def page(request: Request[Any, Any, Any], template: str, **context: Any) -> Template:
    return render_page(
        request,
        template,
        field_labels=FIELD_LABELS,
        error_texts=ERROR_TEXTS,
        kinds=KIND_LABELS,
        limits=LIMITS,
        justification_min=JUSTIFICATION_MIN,
        **context,
    )


def jury_page(request: Request[Any, Any, Any], template: str, principal: Principal, **context: Any) -> Template:
    """A page of the jury workspace: its forms carry the CSRF token, so a juror signed in to the console (by
    session cookie) can send them; nothing of it is stored by a cache."""
    csrf_context, cookies = csrf_fields(request, principal)
    signed_in = bool(request.cookies.get(sessions.SESSION_COOKIE))
    rendered = page(request, template, **csrf_context, juror_email=principal.email if signed_in else None, **context)
    rendered.cookies = [*rendered.cookies, *cookies]
    rendered.headers = {**rendered.headers, "cache-control": "no-store"}
    return rendered


def _form_to_input(form: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {name: form.get(name, "").strip() for name in FIELDS}
    data["justification"] = form.get("justification", "").strip().replace("\r\n", "\n")
    data["nominee_email"] = data["nominee_email"] or None
    data["links"] = [line.strip() for line in form.get("links", "").splitlines() if line.strip()]
    if not data["language"]:
        del data["language"]
    return data


def _error_of(error: msgspec.ValidationError, form: dict[str, str]) -> tuple[str, str]:
    field = field_of(error, top=True) or "form"
    if field == "justification" and 0 < len(form.get("justification", "").strip()) < JUSTIFICATION_MIN:
        return field, "too_short"
    return field, "invalid"


class PrizePages(Controller):
    include_in_schema = False

    async def _prize_page(
        self, request: Request[Any, Any, Any], conn: Conn, slug: str, now: Any, **context: Any
    ) -> Template:
        prize = await views.get_prize(conn, slug)
        return page(request, "nominations/prize.html", prize=await views.prize_out(conn, prize, now), **context)

    @get("/prizes/{slug:str}")
    async def prize(self, slug: FromPath[str], request: Request[Any, Any, Any], conn: Conn, now: Now) -> Template:
        return await self._prize_page(request, conn, slug, now, values={}, errors={})

    @post("/prizes/{slug:str}", status_code=303)
    async def nominate(
        self,
        slug: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        now: Now,
    ) -> Response[Any]:
        await ratelimit.limit(request, conn, data.get("nominator_email"), data.get("nominee_email"), now=now)
        values = _form_to_input(data)
        errors = forms.field_errors(values, NominationIn)
        if errors.get("justification") == "invalid" and len(values["justification"]) < JUSTIFICATION_MIN:
            errors["justification"] = "too_short"
        if not errors:
            try:
                nomination = msgspec.convert(values, NominationIn)
                _id, secret = await domain.nominate(conn, slug, data=nomination, now=now)
            except msgspec.ValidationError as error:
                field, code = _error_of(error, data)
                errors[field] = code
            except DomainError as error:
                errors[error.field or "form"] = error.code
            else:
                return Redirect(f"/nominations/{secret}?welcome=1&lang={request_language(request)}", status_code=303)
        template = await self._prize_page(request, conn, slug, now, values=data, errors=errors)
        template.status_code = 422
        return template

    @get("/nominations/{secret:str}", cache_control=CacheControlHeader(no_store=True))
    async def own(self, secret: FromPath[str], request: Request[Any, Any, Any], conn: Conn, now: Now) -> Template:
        nomination = await views.by_secret(conn, secret)
        return page(
            request,
            "nominations/manage.html",
            nomination=await views.self_view(conn, nomination, now),
            secret=secret,
            welcome=request.query_params.get("welcome") == "1",
            notice=request.query_params.get("notice"),
        )

    @post("/nominations/{secret:str}/withdraw", status_code=303)
    async def withdraw(self, secret: FromPath[str], request: Request[Any, Any, Any], conn: Conn, now: Now) -> Redirect:
        nomination = await views.by_secret(conn, secret)
        await domain.withdraw(conn, nomination.id, now=now)
        return Redirect(f"/nominations/{secret}?notice=withdrawn&lang={request_language(request)}", status_code=303)


class JuryPages(Controller):
    include_in_schema = False
    path = "/jury"

    @get("/")
    async def calls(self, request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now) -> Template:
        if principal.role != "jury":
            raise Forbidden("jury_only", "the jury workspace is for jurors")
        calls = await queries.calls_of_juror(conn, principal.user_id)
        return jury_page(request, "nominations/jury_calls.html", principal, calls=calls)

    @get("/calls/{call_id:uuid}")
    async def call(
        self, call_id: FromPath[UUID], request: Request[Any, Any, Any], conn: Conn, principal: Caller, now: Now
    ) -> Template:
        call = await get_call(conn, call_id)
        if await standing_on_call(conn, call, principal) != "juror":
            raise Forbidden("jury_only", "the jury workspace is for jurors")
        prize = await queries.prize_by_id(conn, call.prize_id)
        standing = await queries.juror_standing(conn, call.id, principal.user_id)
        nominations = [n for n in await queries.nominations_of_call(conn, call.id) if n.status != "withdrawn"]
        return jury_page(
            request,
            "nominations/jury_call.html",
            principal,
            call=call,
            prize=prize,
            nominations=nominations,
            standing=standing,
            criteria=await queries.criteria(conn, call.id),
        )

    async def _nomination_page(
        self, request: Request[Any, Any, Any], conn: Conn, nomination_id: UUID, principal: Principal, **context: Any
    ) -> Template:
        nomination, call, standing = await nomination_for(conn, nomination_id, principal)
        if standing != "juror":
            raise Forbidden("jury_only", "the jury workspace is for jurors")
        conflict = await queries.has_conflict(conn, nomination_id, principal.user_id)
        nomination = views.redacted(nomination) if conflict else nomination
        sheets = None if conflict else await scoring.scores_for(conn, nomination_id, actor=principal)
        return jury_page(
            request,
            "nominations/jury_nomination.html",
            principal,
            nomination=nomination,
            call=call,
            prize=await queries.prize_by_id(conn, call.prize_id),
            criteria=await queries.criteria(conn, call.id),
            conflict=conflict,
            sheets=sheets,
            mine={s.criterion_id: s for s in sheets.mine.scores} if sheets and sheets.mine else {},
            notice=request.query_params.get("notice"),
            **context,
        )

    @get("/nominations/{nomination_id:uuid}")
    async def nomination(
        self, nomination_id: FromPath[UUID], request: Request[Any, Any, Any], conn: Conn, principal: Caller
    ) -> Template:
        return await self._nomination_page(request, conn, nomination_id, principal, errors={}, values={})

    @post("/nominations/{nomination_id:uuid}/scores", status_code=303)
    async def score(
        self,
        nomination_id: FromPath[UUID],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> Response[Any]:
        nomination, call, _standing = await nomination_for(conn, nomination_id, principal)
        sheet = []
        for criterion in await queries.criteria(conn, call.id):
            value = data.get(f"score-{criterion.id}", "")
            if value.isdigit():
                comment = data.get(f"comment-{criterion.id}", "").strip().replace("\r\n", "\n")
                sheet.append(CriterionScoreIn(criterion_id=criterion.id, score=int(value), comment=comment))
        try:
            scores = msgspec.convert(msgspec.to_builtins(ScoresIn(scores=sheet)), ScoresIn)
            await scoring.submit_scores(conn, nomination_id, scores, actor=principal, now=now)
        except (msgspec.ValidationError, DomainError) as error:
            code = error.code if isinstance(error, DomainError) and error.status == 422 else "invalid"
            if isinstance(error, DomainError) and error.status != 422:
                raise
            template = await self._nomination_page(
                request, conn, nomination_id, principal, errors={"scores": code}, values=data
            )
            template.status_code = 422
            return template
        language = request_language(request)
        return Redirect(f"/jury/nominations/{nomination.id}?notice=saved&lang={language}", status_code=303)

    @post("/nominations/{nomination_id:uuid}/conflict", status_code=303)
    async def conflict(
        self,
        nomination_id: FromPath[UUID],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        principal: Caller,
        now: Now,
    ) -> Redirect:
        reason = data.get("reason", "").strip()[:1000]
        await scoring.declare_conflict(conn, nomination_id, reason=reason, actor=principal, now=now)
        language = request_language(request)
        return Redirect(f"/jury/nominations/{nomination_id}?notice=conflict&lang={language}", status_code=303)


PRIZE_PAGES = [PrizePages, JuryPages]
