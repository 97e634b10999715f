"""The registrations table of the console's CSV and XLSX exports, in the organiser's language (the files
themselves, and the guard on every cell, come from service/spreadsheet.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..i18n import Language, gettext, pick
from ..registrations.schemas import ListedRegistration, Question
from ..spreadsheet import cell

COLUMNS = (
    ("status", "Status"),
    ("waitlist_position", "Place on the waiting list"),
    ("name", "Name"),
    ("email", "E-mail"),
    ("organisation", "Organisation"),
    ("role", "Role"),
    ("dietary", "Dietary needs"),
    ("accessibility", "Accessibility needs"),
    ("language", "Language"),
    ("created_at", "Registered"),
    ("checked_in_at", "Checked in"),
    ("checked_in_door", "Door"),
    ("source", "How they registered"),
)
# registrations.source: the public form, demo data, an organiser's hand, a paper form typed in, a door's walk-in.
SOURCE_TEXTS = {
    "web": "Registration form",
    "demo": "Demo data",
    "organiser": "Added by an organiser",
    "public": "Typed in by an organiser",
    "door": "Walk-in at the door",
}
STATUS_TEXTS = {"confirmed": "Confirmed", "waitlisted": "On the waiting list", "cancelled": "Cancelled"}


def _answer(value: object, language: Language) -> str:
    if value is True:
        return gettext(language, "Yes")
    if value is False:
        return gettext(language, "No")
    return "" if value is None else str(value)


class Table:
    """The export's header and rows in the organiser's language, every cell made safe for a spreadsheet."""

    def __init__(
        self,
        questions: list[Question],
        language: Language,
        *,
        role_text: Callable[[str | None], str],
        when: Callable[[Any], str],
    ) -> None:
        self.questions, self.language, self.role_text, self.when = questions, language, role_text, when

    def header(self) -> list[str]:
        texts = [gettext(self.language, label) for _, label in COLUMNS] + [
            pick(q.label, self.language) for q in self.questions
        ]
        return [cell(text) for text in texts]

    def line(self, row: ListedRegistration) -> list[str]:
        language = self.language
        values: list[object] = [
            gettext(language, STATUS_TEXTS[row.status]),
            row.waitlist_position or "",
            row.name,
            row.email or "",
            row.organisation,
            self.role_text(row.role),
            row.dietary,
            row.accessibility,
            row.language,
            self.when(row.created_at),
            self.when(row.checked_in_at),
            row.checked_in_door or "",
            gettext(language, SOURCE_TEXTS[row.source]) if row.source in SOURCE_TEXTS else row.source,
            *(_answer(row.answers.get(str(q.id)), language) for q in self.questions),
        ]
        return [cell(value) for value in values]
