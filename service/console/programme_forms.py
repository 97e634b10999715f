"""The session form of the programme editor: read into the programme's SessionIn/SessionPatch JSON, and a
stored session back into the form's values. Speakers are rows `speaker_{i}_name|organisation|bio`."""

from __future__ import annotations

from typing import Any

from ..i18n import LANGUAGES
from ..programme.schemas import Session
from .forms import FormErrors, local_time_value, parse_local_time

SPEAKER_PARTS = ("name", "organisation", "bio")
BLANK_SPEAKER_ROWS = 2
MAX_SPEAKERS = 20

FIELD_LABELS = {
    "kind": "Kind",
    "title_nb": "Title (bokmål)",
    "title_nn": "Title (nynorsk)",
    "title_en": "Title (English)",
    "abstract_nb": "Abstract (bokmål)",
    "abstract_nn": "Abstract (nynorsk)",
    "abstract_en": "Abstract (English)",
    "room": "Room",
    "track": "Track",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "capacity": "Capacity",
    "speakers": "Speakers",
    "form": "The form",
}
ERROR_TEXTS = {
    "session_outside_event": "The session must be on the day (or days) of the event.",
    "capacity_below_chosen": "More attendees than this already have a place in the session.",
    "session_has_choices": "Attendees have chosen this session, so its kind cannot change.",
    "session_cancelled": "A cancelled session cannot be changed.",
    "speaker_name_required": "A speaker needs a name.",
}


def speaker_rows(form: dict[str, str]) -> list[int]:
    """The row numbers of the speaker fields in a form, in order."""
    rows = {int(key.split("_")[1]) for key in form if key.startswith("speaker_") and key.split("_")[1].isdigit()}
    return sorted(row for row in rows if row < MAX_SPEAKERS + BLANK_SPEAKER_ROWS)


def session_values(form: dict[str, str]) -> dict[str, Any]:
    """The form as the API's JSON would have it. Raises FormErrors for times, numbers and speakers."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"kind": form.get("kind", "")}
    title = {code: form.get(f"title_{code}", "").strip() for code in LANGUAGES}
    if not title["nb"]:
        errors["title_nb"] = "required"
    values["title"] = {code: text for code, text in title.items() if text}
    abstract = {code: form.get(f"abstract_{code}", "").strip() for code in LANGUAGES}
    values["abstract"] = {code: text for code, text in abstract.items() if text} or {"nb": ""}
    values["room"] = form.get("room", "").strip()
    values["track"] = form.get("track", "").strip()
    for name in ("starts_at", "ends_at"):
        try:
            values[name] = parse_local_time(form.get(name, ""))
        except ValueError:
            errors[name] = "invalid_datetime"
        if values.get(name) is None and name not in errors:
            errors[name] = "required"
    capacity = form.get("capacity", "").strip()
    if not capacity:
        values["capacity"] = None
    elif capacity.isdigit() and len(capacity) < 7:
        values["capacity"] = int(capacity)
    else:
        errors["capacity"] = "invalid_number"
    speakers = []
    for row in speaker_rows(form):
        parts = {part: form.get(f"speaker_{row}_{part}", "").strip() for part in SPEAKER_PARTS}
        if not any(parts.values()):
            continue
        if not parts["name"]:
            errors[f"speaker_{row}_name"] = "speaker_name_required"
        speakers.append(parts)
    values["speakers"] = speakers
    if errors:
        raise FormErrors(errors)
    return values


def session_form_values(session: Session) -> dict[str, str]:
    """A stored session as the form's values (with blank rows for more speakers)."""
    values: dict[str, str] = {
        "kind": session.kind,
        "room": session.room,
        "track": session.track,
        "starts_at": local_time_value(session.starts_at),
        "ends_at": local_time_value(session.ends_at),
        "capacity": "" if session.capacity is None else str(session.capacity),
    }
    for code in LANGUAGES:
        values[f"title_{code}"] = session.title.get(code, "")
        values[f"abstract_{code}"] = session.abstract.get(code, "")
    for row, speaker in enumerate(session.speakers):
        for part in SPEAKER_PARTS:
            values[f"speaker_{row}_{part}"] = speaker.get(part, "")
    return values


def speaker_count(values: dict[str, str]) -> int:
    """How many speaker rows the form shows: those filled in, and two blank ones."""
    rows = speaker_rows(values)
    filled = [row for row in rows if any(values.get(f"speaker_{row}_{part}") for part in SPEAKER_PARTS)]
    return min((max(filled) + 1 if filled else 0) + BLANK_SPEAKER_ROWS, MAX_SPEAKERS)
