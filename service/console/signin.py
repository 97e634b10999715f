"""Signing in and out, forgetting a password, and setting one from a reset or invitation link."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from .. import db, ratelimit
from ..accounts.schemas import Principal
from ..errors import DomainError
from ..http import Caller, Config, Conn, Now, require_csrf
from . import forms, passwords, sessions
from .guard import console_page, safe_next, session_cookie


async def _signed_in(request: Request[Any, Any, Any], conn: Conn, now: Now) -> Principal | None:
    token = request.cookies.get(sessions.SESSION_COOKIE)
    return await sessions.principal_of_session(conn, token, now=now) if token else None


def _start(request: Request[Any, Any, Any], token: str, target: str) -> Redirect:
    redirect = Redirect(target, status_code=303)
    redirect.cookies = [session_cookie(request, token, max_age=int(sessions.SESSION_LIFETIME.total_seconds()))]
    return redirect


# The forgot-password form asks for one's own address.
FORGOT_TEXTS = {**forms.ERROR_TEXTS, "email.required": "Write your e-mail address, like name@kommune.no."}


class SignInPages(Controller):
    path = "/console"
    include_in_schema = False

    @get("/sign-in")
    async def form(self, request: Request[Any, Any, Any], conn: Conn, now: Now) -> Response[Any]:
        target = safe_next(request.query_params.get("next"))
        if await _signed_in(request, conn, now):
            return Redirect(target, status_code=303)
        notice = request.query_params.get("notice")
        return console_page(request, "console/sign_in.html", None, next=target, email="", error=None, notice=notice)

    @post("/sign-in", status_code=303)
    async def submit(
        self,
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        state: State,
        now: Now,
        settings: Config,
    ) -> Response[Any]:
        """Takes connections from the pool only around its statements (not the `conn` dependency): argon2 runs
        between them, and a pooled connection must not wait for it."""
        async with db.borrowed(state.pool) as conn:
            await ratelimit.limit(request, conn, now=now)
        await require_csrf(request, settings, request.cookies.get(sessions.PRESESSION_COOKIE))
        target = safe_next(data.get("next"))
        email = data.get("email", "")
        client = ratelimit.request_client(request)
        try:
            principal = await passwords.sign_in(state.pool, email, data.get("password", ""), client=client, now=now)
        except DomainError as error:
            status = 403 if error.code == "account_locked" else 401
            return console_page(
                request,
                "console/sign_in.html",
                None,
                status_code=status,
                next=target,
                email=email[:254],
                error=error.code,
                notice=None,
            )
        async with db.borrowed(state.pool) as conn:
            token = await sessions.start_session(conn, principal, now=now)
        return _start(request, token, target)

    @post("/sign-out", status_code=303)
    async def sign_out(self, request: Request[Any, Any, Any], conn: Conn, principal: Caller) -> Redirect:
        await sessions.end_session(conn, request.cookies.get(sessions.SESSION_COOKIE, ""))
        redirect = Redirect("/console/sign-in?notice=signed_out", status_code=303)
        redirect.cookies = [session_cookie(request, "", max_age=0)]
        return redirect

    @get("/password/forgot")
    async def forgot_form(self, request: Request[Any, Any, Any]) -> Template:
        return forms.form_page(
            request, "console/forgot.html", None, texts=FORGOT_TEXTS, values={}, errors={}, sent=False
        )

    @post("/password/forgot", status_code=200)
    async def forgot(
        self,
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        conn: Conn,
        now: Now,
        settings: Config,
    ) -> Template:
        await ratelimit.limit(request, conn, now=now)
        await require_csrf(request, settings, request.cookies.get(sessions.PRESESSION_COOKIE))
        email = data.get("email", "").strip()
        if "@" not in email or len(email) > 254:
            errors = {"email": "required" if not email else "invalid"}
            return forms.form_page(
                request,
                "console/forgot.html",
                None,
                texts=FORGOT_TEXTS,
                values={"email": email},
                errors=errors,
                sent=False,
            )
        await passwords.request_reset(conn, email, now=now)
        return forms.form_page(
            request, "console/forgot.html", None, texts=FORGOT_TEXTS, values={}, errors={}, sent=True
        )

    @get("/password/{code:str}")
    async def password_form(
        self, code: FromPath[str], request: Request[Any, Any, Any], conn: Conn, now: Now, settings: Config
    ) -> Template:
        link = await passwords.open_link(conn, settings.verification_keys(), code, now=now)
        return console_page(request, "console/password.html", None, link=link, code=code, error=None)

    @post("/password/{code:str}", status_code=303)
    async def set_password(
        self,
        code: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        request: Request[Any, Any, Any],
        state: State,
        now: Now,
        settings: Config,
    ) -> Response[Any]:
        """Like sign-in, holds no pooled connection while argon2 hashes the new password."""
        async with db.borrowed(state.pool) as conn:
            await ratelimit.limit(request, conn, now=now)
        await require_csrf(request, settings, request.cookies.get(sessions.PRESESSION_COOKIE))
        keys = settings.verification_keys()
        password = data.get("password", "")
        error = None
        if password != data.get("password_again", ""):
            error = "passwords_differ"
        else:
            try:
                principal = await passwords.set_password_by_link(state.pool, keys, code, password, now=now)
            except DomainError as exc:
                if exc.status == 404:
                    raise
                error = exc.code
            else:
                async with db.borrowed(state.pool) as conn:
                    token = await sessions.start_session(conn, principal, now=now)
                return _start(request, token, "/console")
        async with db.borrowed(state.pool) as conn:
            link = await passwords.open_link(conn, keys, code, now=now)
        return console_page(request, "console/password.html", None, status_code=422, link=link, code=code, error=error)
