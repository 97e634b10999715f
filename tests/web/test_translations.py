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


SERVICE = TEMPLATES.parents[1]
# Common bokmål forms that are not nynorsk (the nynorsk is in brackets), matched as whole words in every nynorsk
# text: each catalog entry and each `"nn": "…"` text in the code. A word is only left out after review.
BOKMAL_ONLY = {
    "bruker": "brukar", "brukere": "brukarar", "brukes": "blir brukt", "ikke": "ikkje", "hva": "kva",
    "hvordan": "korleis", "hvor": "kvar", "hvem": "kven", "hvis": "viss", "hver": "kvar", "hvert": "kvart",
    "hvilke": "kva for", "hvilken": "kva for", "jeg": "eg", "noen": "nokon", "noe": "noko", "mye": "mykje",
    "fra": "frå", "lenke": "lenkje", "lenken": "lenkja", "lenker": "lenkjer", "lenkene": "lenkjene",
    "uten": "utan", "bare": "berre", "mer": "meir", "selv": "sjølv", "dere": "de", "ennå": "enno",
    "allerede": "allereie", "hjem": "heim", "mens": "medan", "uke": "veke", "navn": "namn", "navnet": "namnet",
    "kommer": "kjem", "gjør": "gjer", "sier": "seier", "ble": "vart", "en": "ein", "et": "eit", "ett": "eitt",
    "vennligst": "ver venleg", "galt": "gale", "enheten": "eininga", "påmeldingen": "påmeldinga",
    "endret": "endra", "lagret": "lagra", "sjekket": "sjekka", "slettet": "sletta", "åpnet": "opna",
    "skrevet": "skrive", "mottatt": "motteke", "koblet": "kopla",
}  # fmt: skip
# Reviewed (where, word) pairs that are right as they stand, e.g. ("nn:<msgid>", "en") for a quoted name.
BOKMAL_EXCEPTIONS: set[tuple[str, str]] = set()
WHOLE_WORD = re.compile(r"\b(" + "|".join(BOKMAL_ONLY) + r")\b", re.IGNORECASE)
NYNORSK_LITERAL = re.compile(r"\"nn\":\s*\"([^\"]*)\"")


def nynorsk_texts() -> list[tuple[str, str]]:
    """(where, text) of every nynorsk text: catalog entries by msgid, then `"nn": "…"` texts in the code."""
    texts = [(f"nn:{msgid}", form) for msgid, forms in catalog_of("nn").items() for form in forms]
    for path in sorted(SERVICE.rglob("*.py")):
        for text in NYNORSK_LITERAL.findall(path.read_text(encoding="utf-8")):
            texts.append((str(path.relative_to(SERVICE.parent)), text))
    return texts


def test_nynorsk_has_no_common_bokmal_forms() -> None:
    found = [
        f"{where}: {word!r} (nynorsk: {BOKMAL_ONLY[word.lower()]!r}) in {text!r}"
        for where, text in nynorsk_texts()
        for word in WHOLE_WORD.findall(text)
        if (where, word.lower()) not in BOKMAL_EXCEPTIONS
    ]

    assert found == []


def test_bokmal_scan_finds_a_planted_form() -> None:
    assert WHOLE_WORD.findall("Vi bruker lenka, ikkje lenke. Brukar-lenkje") == ["bruker", "lenke"]


CODE_KEYWORDS = {"gettext": (2,), "ngettext": (2, 3)}  # service.i18n's: the language comes first
# Strings the extractor takes from a computed argument (`gettext(language, SUBJECTS[link["purpose"]])`), not texts.
NOT_TEXTS = {"purpose"}


def code_messages() -> dict[Msgid, str]:
    """msgid -> where it is used first, from the Python code's gettext calls."""
    found: dict[Msgid, str] = {}
    for path in sorted(SERVICE.rglob("*.py")):
        with path.open("rb") as handle:
            for line, message, _comments, _context in extract("python", handle, keywords=CODE_KEYWORDS):
                if message not in NOT_TEXTS:
                    found.setdefault(message, f"{path.relative_to(SERVICE.parent)}:{line}")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_text_is_translated(language: str) -> None:
    assert untranslated(code_messages(), language) == []
