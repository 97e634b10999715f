"""Languages: bokmål (default), nynorsk and English, from gettext catalogs under web/translations.

Message ids are English; each language's catalog holds its texts. The language of a request is chosen by
`?lang=`, then the `lang` cookie, then `Accept-Language`, then bokmål.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

Language = Literal["nb", "nn", "en"]
LANGUAGES: tuple[Language, ...] = ("nb", "nn", "en")
DEFAULT_LANGUAGE: Language = "nb"
LANGUAGE_NAMES: dict[Language, str] = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "web" / "translations"

# Accept-Language tags that mean one of ours. Plain "no" is Norwegian without a written standard: bokmål.
_TAGS: dict[str, Language] = {"nb": "nb", "no": "nb", "nn": "nn", "en": "en"}


def parse_language(value: str | None) -> Language | None:
    if not value:
        return None
    tag = value.strip().lower().replace("_", "-").split("-")[0]
    return _TAGS.get(tag)


def from_accept_language(header: str | None) -> Language | None:
    """The best of our languages in an Accept-Language header, honouring q-values."""
    if not header:
        return None
    ranked: list[tuple[float, int, Language]] = []
    for index, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        language = parse_language(pieces[0])
        if language is None:
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, number = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(number)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, index, language))
    return min(ranked)[2] if ranked else None


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> Language:
    return parse_language(query) or parse_language(cookie) or from_accept_language(accept_language) or DEFAULT_LANGUAGE


@cache
def translations(language: Language) -> Translations:
    """The catalog of one language: every .po file in its folder (one per area), read once per process."""
    merged: Translations | None = None
    for path in sorted((TRANSLATIONS_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = Translations(buffer)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    return merged if merged is not None else Translations()


def gettext(language: Language, message: str) -> str:
    return translations(language).gettext(message)


def ngettext(language: Language, singular: str, plural: str, n: int) -> str:
    return translations(language).ngettext(singular, plural, n)


def pick(texts: dict[str, str] | None, language: Language) -> str:
    """The text in the language asked for, falling back to bokmål (which is always there)."""
    if not texts:
        return ""
    return texts.get(language) or texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()), "")
