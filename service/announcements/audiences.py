"""Who an announcement can go to: one mapping from audience to the query that selects its recipients.

Each query selects `registration_id` of the recipients, with `$1` the event id and `$2` the audience's
reference (e.g. a session id; NULL for audiences without one). Adding an audience is adding an entry here:
the Slack modal, the preview count and the fan-out all read this mapping. Only an announcement to everyone
with a seat (`public`) is shown on the event's public page; one to a subgroup is for that subgroup only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Audience:
    key: str
    label: str  # English msgid, translated where shown
    recipients_sql: str
    needs_ref: bool = False
    public: bool = False


def public_audiences() -> list[str]:
    """The audiences whose announcements anyone may read on the event page."""
    return [key for key, audience in AUDIENCES.items() if audience.public]


AUDIENCES: dict[str, Audience] = {
    audience.key: audience
    for audience in (
        Audience(
            "confirmed",
            "Everyone with a seat",
            "SELECT r.id AS registration_id FROM registrations r WHERE r.event_id = $1 AND r.status = 'confirmed'"
            " AND $2::text IS NULL",
            public=True,
        ),
        Audience(
            "waitlisted",
            "The waiting list",
            "SELECT r.id AS registration_id FROM registrations r WHERE r.event_id = $1 AND r.status = 'waitlisted'"
            " AND $2::text IS NULL",
        ),
        Audience(
            "checked_in",
            "Everyone checked in at the door",
            "SELECT r.id AS registration_id FROM registrations r"
            " JOIN checkin_admissions a ON a.registration_id = r.id"
            " WHERE r.event_id = $1 AND r.status = 'confirmed' AND $2::text IS NULL",
        ),
        Audience(
            "session",
            "The attendees of one session",
            # A plenary session is everyone's; a chosen one is those with a place in it.
            "SELECT r.id AS registration_id FROM registrations r JOIN sessions s ON s.event_id = r.event_id"
            " WHERE r.event_id = $1 AND r.status = 'confirmed' AND s.id = $2::uuid"
            " AND (s.kind = 'plenary' OR EXISTS (SELECT 1 FROM session_choices c WHERE c.registration_id = r.id"
            " AND c.session_id = s.id AND c.status = 'confirmed'))",
            needs_ref=True,
        ),
    )
}
