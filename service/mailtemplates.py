"""Rendering mails (plain text and HTML) from templates/mail/ in the recipient's language."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .i18n import Language, gettext, ngettext, pick
from .settings import PROJECT_ROOT
from .types import OSLO

_BABEL_LOCALE = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "service" / "web" / "templates" / "mail"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def when(value: datetime, language: Language, fmt: str = "EEEE d. MMMM y 'kl.' HH:mm") -> str:
    pattern = fmt if language != "en" else "EEEE d MMMM y, HH:mm"
    return format_datetime(value.astimezone(OSLO), pattern, locale=_BABEL_LOCALE[language])


def render(name: str, language: Language, **context: Any) -> tuple[str, str]:
    """(text, html) of mail `name` in `language`."""
    env = environment()
    common = {
        "_": lambda message, **kw: gettext(language, message) % kw if kw else gettext(language, message),
        "ngettext": lambda s, p, n, **kw: ngettext(language, s, p, n) % {"n": n, **kw},
        "language": language,
        "pick": lambda texts: pick(texts, language),
        "when": lambda value: when(value, language),
        "time": lambda value: value.astimezone(OSLO).strftime("%H:%M"),
        **context,
    }
    text = env.get_template(f"{name}.txt").render(common)
    html = env.get_template(f"{name}.html").render(common)
    return text, html
