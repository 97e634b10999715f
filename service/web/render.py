"""Rendering pages in the request's language: every template gets `_`, `when`, `pick` and the switch."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Template

from ..http import request_language
from ..i18n import LANGUAGE_NAMES, LANGUAGES, Language, gettext, ngettext, parse_language, pick
from ..mailtemplates import when as format_when

ONE_YEAR = 365 * 24 * 3600


def translator(language: Language) -> Any:
    def translate(message: str, **values: Any) -> str:
        text = gettext(language, message)
        return text % values if values else text

    return translate


def switch_links(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
    """The current page in each language (`?lang=` kept with the other query parameters)."""
    current = request_language(request)
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "href": f"{request.url.path}?{urlencode({**query, 'lang': code})}",
            "current": code == current,
        }
        for code in LANGUAGES
    ]


def page(request: Request[Any, Any, Any], template: str, **context: Any) -> Template:
    """A full HTML page; remembers an explicit `?lang=` choice in a cookie."""
    language = request_language(request)
    translate = translator(language)
    values = {
        "_": translate,
        "ngettext": lambda s, p, n, **kw: ngettext(language, s, p, n) % {"n": n, **kw},
        "language": language,
        "languages": LANGUAGE_NAMES,
        "language_links": switch_links(request),
        "pick": lambda texts: pick(texts, language),
        "when": lambda value: format_when(value, language) if isinstance(value, datetime) else "",
        "path": request.url.path,
        **context,
    }
    cookies = []
    chosen = parse_language(request.query_params.get("lang"))
    if chosen and chosen != parse_language(request.cookies.get("lang")):
        cookies.append(Cookie(key="lang", value=chosen, max_age=ONE_YEAR, httponly=True, samesite="lax", path="/"))
    return Template(template_name=template, context=values, cookies=cookies,
                    headers={"content-language": language, "vary": "Accept-Language, Cookie"})
