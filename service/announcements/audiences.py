"""Who an announcement can go to: one mapping from audience to the query that selects its recipients.

Each audience's recipients are selected by its query in `queries.RECIPIENTS` (same key). Adding an audience is
adding an entry here and its query there: the Slack modal, the preview count and the fan-out all read them.
Only an announcement to everyone with a seat (`public`) is shown on the event's public page; one to a subgroup
is for that subgroup only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Audience:
    key: str
    label: str  # English msgid, translated where shown
    needs_ref: bool = False
    public: bool = False


def public_audiences() -> list[str]:
    """The audiences whose announcements anyone may read on the event page."""
    return [key for key, audience in AUDIENCES.items() if audience.public]


AUDIENCES: dict[str, Audience] = {
    audience.key: audience
    for audience in (
        Audience("confirmed", "Everyone with a seat", public=True),
        Audience("waitlisted", "The waiting list"),
        Audience("checked_in", "Everyone checked in at the door"),
        Audience("session", "The attendees of one session", needs_ref=True),
    )
}
