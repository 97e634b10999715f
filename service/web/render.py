"""Rendering pages in the request's language.

`page(request, "events/detail.html", event=event)` gives every template:

- `_("English text", name=value)` and `ngettext(singular, plural, n)` in the request's language
  (`%(n)s` and the keyword arguments are filled in after translation);
- `language` (nb | nn | en), `languages` (code -> name), `language_links` (the language switch);
- `pick(texts)` for the {nb, nn, en} texts stored on events, and `text_language(texts)`, the language of the
  text `pick` chose (it falls back to bokmål), for a `lang` attribute on that text;
- `when`, `date`, `time` and `when_range` for datetimes, shown in Europe/Oslo in the request's language;
- `path`, the path of the current request, safe as a link (see paths.own_path).

An explicit `?lang=` is remembered in the `lang` cookie for a year.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Template

from ..http import request_language
from ..i18n import LANGUAGE_NAMES, LANGUAGES, Language, gettext, ngettext, parse_language, pick
from ..types import OSLO
from .paths import own_path

ONE_YEAR = 365 * 24 * 3600
BABEL_LOCALES: dict[Language, str] = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}
# Babel patterns: "torsdag 10. juni 2027 kl. 09:00" and "Thursday 10 June 2027, 09:00".
_DATE = {"nb": "EEEE d. MMMM y", "nn": "EEEE d. MMMM y", "en": "EEEE d MMMM y"}
_TIME = "HH:mm"
_SHORT_DAY = {"nb": "d. MMM", "nn": "d. MMM", "en": "d MMM"}
_AT = {"nb": " 'kl.' ", "nn": " 'kl.' ", "en": ", "}


def translator(language: Language) -> Any:
    def translate(message: str, **values: Any) -> str:
        text = gettext(language, message)
        return text % values if values else text

    return translate


def plural_translator(language: Language) -> Any:
    def translate(singular: str, plural: str, n: int, **values: Any) -> str:
        return ngettext(language, singular, plural, n) % {"n": n, **values}

    return translate


def format_when(value: datetime | None, language: Language, *, part: str = "datetime") -> str:
    """A moment in Europe/Oslo: part is "datetime", "date" or "time"; "" for no moment."""
    if not isinstance(value, datetime):
        return ""
    pattern = {"date": _DATE[language], "time": _TIME, "datetime": _DATE[language] + _AT[language] + _TIME}[part]
    return format_datetime(value.astimezone(OSLO), pattern, locale=BABEL_LOCALES[language])


def format_day(value: date, language: Language, *, short: bool = False) -> str:
    """A calendar day (no time of day): "fredag 4. desember 2026", or "4. des." when short."""
    return format_date(value, (_SHORT_DAY if short else _DATE)[language], locale=BABEL_LOCALES[language])


def format_number(value: float, language: Language) -> str:
    """ "3", "1,5" (bokmål, nynorsk) or "1.5" (English): at most two decimals, none when whole."""
    return format_decimal(value, format="#,##0.##", locale=BABEL_LOCALES[language])


def format_range(starts_at: datetime, ends_at: datetime, language: Language) -> str:
    """ "torsdag 10. juni 2027 kl. 09:00–16:00", or both full moments when the days differ in Oslo."""
    if starts_at.astimezone(OSLO).date() == ends_at.astimezone(OSLO).date():
        return f"{format_when(starts_at, language)}–{format_when(ends_at, language, part='time')}"
    return f"{format_when(starts_at, language)} – {format_when(ends_at, language)}"


def text_language(texts: dict[str, str] | None, language: Language) -> str:
    """The language of the text `pick(texts, language)` returns."""
    if not texts or texts.get(language):
        return language
    if texts.get("nb"):
        return "nb"
    return next(iter(texts))


def switch_links(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
    """The current page in each language (`?lang=` kept with the other query parameters), on our own origin."""
    current = request_language(request)
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    path = own_path(request.url.path)
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "href": f"{path}?{urlencode({**query, 'lang': code})}",
            "current": code == current,
        }
        for code in LANGUAGES
    ]


def _secure_cookies(request: Request[Any, Any, Any]) -> bool:
    settings = request.app.state.get("settings")
    return bool(getattr(settings, "secure_cookies", False))


def page(request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any) -> Template:
    """A full HTML page in the request's language; remembers an explicit `?lang=` choice in a cookie."""
    language = request_language(request)
    values = {
        "_": translator(language),
        "ngettext": plural_translator(language),
        "language": language,
        "languages": LANGUAGE_NAMES,
        "language_links": switch_links(request),
        "pick": lambda texts: pick(texts, language),
        "text_language": lambda texts: text_language(texts, language),
        "when": lambda value: format_when(value, language),
        "date": lambda value: format_when(value, language, part="date"),
        "time": lambda value: format_when(value, language, part="time"),
        "when_range": lambda starts, ends: format_range(starts, ends, language),
        "day": lambda value, short=False: format_day(value, language, short=short),
        "number": lambda value: format_number(value, language),
        "path": own_path(request.url.path),
        **context,
    }
    cookies = []
    chosen = parse_language(request.query_params.get("lang"))
    if chosen and chosen != parse_language(request.cookies.get("lang")):
        cookies.append(
            Cookie(
                key="lang",
                value=chosen,
                max_age=ONE_YEAR,
                path="/",
                httponly=True,
                samesite="lax",
                secure=_secure_cookies(request),
            )
        )
    return Template(
        template_name=template,
        context=values,
        cookies=cookies,
        status_code=status_code,
        headers={"content-language": language, "vary": "Accept-Language, Cookie"},
    )
