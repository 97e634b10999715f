"""Every text the console shows from Python (labels, errors, mail kinds, actions, navigation) is in the
bokmål, nynorsk and English catalogs, like the template texts (tests/web/test_translations.py)."""

from __future__ import annotations

import pytest

from service.console import export, forms, nav, notify, person_pages, registration_pages, user_pages
from service.i18n import LANGUAGES
from tests.web.test_translations import Msgid, untranslated

TABLES = {
    "forms.FIELD_LABELS": forms.FIELD_LABELS,
    "forms.ERROR_TEXTS": forms.ERROR_TEXTS,
    "registration_pages.MAIL_KINDS": registration_pages.MAIL_KINDS,
    "registration_pages.HISTORY_ACTIONS": registration_pages.HISTORY_ACTIONS,
    "registration_pages.AUDIT_ACTIONS": registration_pages.AUDIT_ACTIONS,
    "user_pages.ROLE_TEXTS": user_pages.ROLE_TEXTS,
    "export.COLUMNS": dict(export.COLUMNS),
    "export.STATUS_TEXTS": export.STATUS_TEXTS,
    "export.SOURCE_TEXTS": export.SOURCE_TEXTS,
    "person_pages.LABELS": person_pages.LABELS,
    "person_pages.ERRORS": person_pages.ERRORS,
    "person_pages.NOTICES": person_pages.NOTICES,
    "notify.SUBJECTS": notify.SUBJECTS,
    "nav": {section.key: section.label for section in nav.MAIN + nav.EVENT},
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_console_text_from_python_is_translated(language: str) -> None:
    texts: dict[Msgid, str] = {
        text: f"{name}[{key!r}]" for name, table in TABLES.items() for key, text in table.items()
    }

    assert untranslated(texts, language) == []


def test_navigation_for_each_role() -> None:
    roles = ("admin", "organiser", "jury", "door")

    shown = {role: [section.key for section in nav.main_for(role)] for role in roles}

    assert shown == {
        "admin": ["dashboard", "events", "prizes", "users", "people", "privacy-notice", "jobs"],
        "organiser": ["dashboard", "events", "prizes"],
        "jury": ["dashboard"],
        "door": [],
    }


def test_event_sections_link_to_that_event() -> None:
    assert [section.href for section in nav.event_for("organiser", "kk", "workshop")] == [
        "/console/events/kk",
        "/console/events/kk/questions",
        "/console/events/kk/programme",
        "/console/events/kk/registrations",
        "/console/events/kk/reminders",
        "/console/events/kk/groups",
        "/console/events/kk/doors",
        "/console/events/kk/attendance",
        "/console/events/kk/report",
        "/console/events/kk/survey",
        "/console/events/kk/announcements",
        "/console/events/kk/audit",
    ]


def test_only_a_workshop_has_the_groups_tab() -> None:
    assert [s.key for s in nav.event_for("organiser", "kk", "conference")] == [
        "event", "questions", "programme", "registrations", "reminders", "doors", "attendance", "report",
        "survey", "announcements", "audit",
    ]  # fmt: skip
    assert "groups" in [s.key for s in nav.event_for("organiser", "ws", "workshop")]
