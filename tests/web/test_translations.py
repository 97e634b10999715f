"""Every text a user can see exists in the bokmål, nynorsk and English catalogs, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import read_po

from service.i18n import LANGUAGES, TRANSLATIONS_DIR
from service.problems import TITLES
from service.registrations.pages import ERROR_TEXTS, FIELD_LABELS, ROLE_LABELS

TEMPLATES = Path(__file__).resolve().parents[2] / "service" / "web" / "templates"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")

Msgid = str | tuple[str, ...]


def template_messages() -> dict[Msgid, str]:
    """msgid -> where it is used first, from every page and mail template (Jinja's own Babel extractor)."""
    found: dict[Msgid, str] = {}
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        with path.open("rb") as handle:
            for line, message, _comments, _context in extract("jinja2.ext.babel_extract", handle, keywords=KEYWORDS):
                found.setdefault(message, f"{path.relative_to(TEMPLATES)}:{line}")
    return found


def catalog_of(language: str) -> dict[str, tuple[str, ...]]:
    """Every entry of a language (all its .po files, as the service merges them): msgid -> msgstr forms."""
    entries: dict[str, tuple[str, ...]] = {}
    for path in sorted((TRANSLATIONS_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog: Catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            forms = tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string or "",)
            assert not message.fuzzy, f"{path.name}: {key!r} is fuzzy"
            entries[key] = forms
    return entries


def untranslated(messages: dict[Msgid, str], language: str) -> list[str]:
    catalog = catalog_of(language)
    problems = []
    for message, where in messages.items():
        msgid = message[0] if isinstance(message, tuple) else message
        forms = catalog.get(msgid)
        if forms is None:
            problems.append(f"{where}: {msgid!r} is missing")
        elif not all(forms):
            problems.append(f"{where}: {msgid!r} has no translation")
        else:
            expected = set(PLACEHOLDER.findall(" ".join(message if isinstance(message, tuple) else (message,))))
            for form in forms:
                if set(PLACEHOLDER.findall(form)) != expected:
                    problems.append(f"{where}: {msgid!r} -> {form!r} has other placeholders than {sorted(expected)}")
    return problems


def test_templates_use_texts_at_all() -> None:
    messages = template_messages()

    assert {"Upcoming events", ("%(n)s seat left", "%(n)s seats left"), "Language"} <= set(messages)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_text_is_translated(language: str) -> None:
    assert untranslated(template_messages(), language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_error_title_is_translated(language: str) -> None:
    titles: dict[Msgid, str] = {title: f"TITLES[{code!r}]" for code, title in TITLES.items()}

    assert untranslated(titles, language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_registration_form_label_is_translated(language: str) -> None:
    labels: dict[Msgid, str] = {
        text: f"registrations.pages.{name}"
        for name, table in (("ROLE_LABELS", ROLE_LABELS), ("FIELD_LABELS", FIELD_LABELS), ("ERROR_TEXTS", ERROR_TEXTS))
        for text in table.values()
    }

    assert untranslated(labels, language) == []


def test_nynorsk_is_not_bokmal() -> None:
    nynorsk, bokmal = catalog_of("nn"), catalog_of("nb")
    samples = ("Upcoming events", "Where", "Something went wrong on our side")

    assert [(nynorsk[msgid][0], bokmal[msgid][0]) for msgid in samples] == [
        ("Komande arrangement", "Kommende arrangementer"),
        ("Kvar", "Hvor"),
        ("Noko gjekk gale hos oss", "Noe gikk galt hos oss"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_text_lives_in_one_catalog_file(language: str) -> None:
    """The service merges a language's .po files and the last one wins, so a text in two files is ambiguous."""
    seen: dict[str, str] = {}
    duplicates = []
    for path in sorted((TRANSLATIONS_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
                if msgid and msgid in seen:
                    duplicates.append(f"{msgid!r} in {seen[msgid]} and {path.name}")
                elif msgid:
                    seen[msgid] = path.name

    assert duplicates == []
