"""What every console page shares: who may see it, its CSRF token, its navigation, and how errors show.

Anonymous visitors are sent to the sign-in page (and back afterwards); a signed-in user without the role
sees a 403 page. Pages take `principal: Caller`, which also reads the session cookie (service/http.py).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from ..accounts.domain import require_role
from ..accounts.schemas import Principal
from ..errors import DomainError
from ..http import request_language
from ..problems import title_for
from ..settings import Settings
from ..web.paths import is_own_path
from ..web.render import page
from . import nav, sessions

ORGANISER = ("organiser",)
SIGN_IN = "/console/sign-in"
SIGNED_IN_AREAS = ("/console", "/jury")  # where sign-in may send the user back to


def organiser(principal: Principal) -> Principal:
    """Raises Forbidden unless the user organises events (or is an admin)."""
    require_role(principal, *ORGANISER)
    return principal


def secure(request: Request[Any, Any, Any]) -> bool:
    """Cookies are Secure when the site is served over HTTPS (or SECURE_COOKIES says so)."""
    settings: Settings = request.app.state.settings
    return settings.secure_cookies or request.url.scheme == "https" or settings.base_url.startswith("https:")


def session_cookie(request: Request[Any, Any, Any], value: str, *, max_age: int) -> Cookie:
    return Cookie(
        key=sessions.SESSION_COOKIE,
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure(request),
    )


def safe_next(target: str | None) -> str:
    """Only a path inside the console or the jury workspace, never another site (`//evil.example`,
    `/\\evil.example`) or scheme."""
    if not target or not is_own_path(target):
        return "/console"
    path = urlsplit(target).path
    if not any(path == area or path.startswith(f"{area}/") for area in SIGNED_IN_AREAS):
        return "/console"
    return target


def sign_in_redirect(request: Request[Any, Any, Any]) -> Redirect:
    """To the sign-in page, and back to this page afterwards (to the console after a form sent while out)."""
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method not in sessions.SAFE_METHODS:
        back = "/console"
    return Redirect(f"{SIGN_IN}?next={quote(back, safe='')}", status_code=303)


def csrf_fields(request: Request[Any, Any, Any], principal: Principal | None) -> tuple[dict[str, str], list[Cookie]]:
    """The CSRF field's name and token for a page's forms (bound to the session, or to a pre-session cookie
    set with the cookies returned), for every page whose forms are sent with the console session."""
    settings: Settings = request.app.state.settings
    cookies: list[Cookie] = []
    binding = request.cookies.get(sessions.SESSION_COOKIE) if principal else None
    if not binding:
        binding = request.cookies.get(sessions.PRESESSION_COOKIE) or secrets.token_urlsafe(24)
        if binding != request.cookies.get(sessions.PRESESSION_COOKIE):
            cookies.append(
                Cookie(
                    key=sessions.PRESESSION_COOKIE,
                    value=binding,
                    path="/console",
                    httponly=True,
                    samesite="lax",
                    secure=secure(request),
                )
            )
    token = sessions.csrf_token(settings.require_secret_key(), binding)
    return {"csrf_field": sessions.CSRF_FIELD, "csrf_token": token}, cookies


def console_page(
    request: Request[Any, Any, Any],
    template: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    event_slug: str | None = None,
    section: str = "",
    **context: Any,
) -> Template:
    """A console page: the CSRF token for its forms (bound to the session, or to a pre-session cookie set
    here), the navigation for the user's role, and the usual page context."""
    csrf_context, cookies = csrf_fields(request, principal)
    if "now" not in context:
        clock = request.app.state.get("clock")
        context["now"] = clock() if clock else datetime.now(UTC)
    rendered = page(
        request,
        template,
        status_code=status_code,
        user=principal,
        **csrf_context,
        main_nav=nav.main_for(principal.role) if principal else [],
        event_nav=_event_nav(principal, event_slug, context.get("event")),
        section=section,
        **context,
    )
    rendered.cookies = [*rendered.cookies, *cookies]
    rendered.headers = {**rendered.headers, "cache-control": "no-store", "x-frame-options": "DENY"}
    return rendered


def _event_nav(principal: Principal | None, slug: str | None, event: Any) -> list[nav.Section]:
    """The event's tabs; with the event on the page, only those for its kind (Groups only for a workshop)."""
    if principal is None or slug is None:
        return []
    return nav.event_for(principal.role, slug, event.kind if event is not None else None)


def console_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """401 sends a browser to sign in and back; other errors are a page in the user's language."""
    if exc.status == 401:
        return sign_in_redirect(request)

    language = request_language(request)
    status = exc.status if exc.status in (403, 404, 409, 422, 429) else 400
    retry_after = int(exc.extra.get("retry_after", 60)) if status == 429 else 0
    rendered = console_page(
        request,
        "console/error.html",
        None,
        status_code=status,
        title=title_for(exc.code, language),
        code=exc.code,
        status=status,
        retry_after=retry_after,
    )
    if retry_after:
        rendered.headers = {**rendered.headers, "retry-after": str(retry_after)}
    return rendered
