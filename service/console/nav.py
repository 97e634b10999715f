"""The console's navigation: the sections of the console and of one event.

Other domains plug their console pages in by adding one `Section` here (and nothing else): programme
(`/console/events/{slug}/programme`), doors (`…/doors`), workshop groups (`…/groups`), announcements
(`…/announcements`) per event; prizes (`/console/prizes`) for the whole console. A section shows to the
roles it names, and an event's section to the kinds of event it names; `label` is an English msgid in that
domain's own .po file.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_KINDS = ("conference", "workshop")


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    href: str
    roles: tuple[str, ...] = ("admin", "organiser")
    kinds: tuple[str, ...] = ALL_KINDS


# The whole console: top navigation.
MAIN: list[Section] = [
    Section("dashboard", "Dashboard", "/console", ("admin", "organiser", "jury")),
    Section("events", "Events", "/console/events"),
    Section("prizes", "Prizes", "/console/prizes"),
    Section("users", "Users", "/console/users", ("admin",)),
    Section("people", "People", "/console/people", ("admin",)),
    Section("privacy-notice", "Privacy notice", "/console/privacy-notice", ("admin",)),
    Section("jobs", "Background jobs", "/console/jobs", ("admin",)),
]

# One event: its tabs. `{slug}` is filled in.
EVENT: list[Section] = [
    Section("event", "Event", "/console/events/{slug}"),
    Section("questions", "Questions", "/console/events/{slug}/questions"),
    Section("programme", "Programme", "/console/events/{slug}/programme"),
    Section("registrations", "Registrations", "/console/events/{slug}/registrations"),
    Section("reminders", "Reminders", "/console/events/{slug}/reminders"),
    Section("groups", "Groups", "/console/events/{slug}/groups", kinds=("workshop",)),
    Section("doors", "Doors", "/console/events/{slug}/doors"),
    Section("attendance", "Attendance", "/console/events/{slug}/attendance"),
    Section("report", "Report", "/console/events/{slug}/report"),
    Section("survey", "Survey", "/console/events/{slug}/survey"),
    Section("announcements", "Announcements", "/console/events/{slug}/announcements"),
    Section("audit", "Audit log", "/console/events/{slug}/audit"),
]


def main_for(role: str) -> list[Section]:
    return [section for section in MAIN if role in section.roles]


def event_for(role: str, slug: str, kind: str | None = None) -> list[Section]:
    """The tabs of an event that `role` may see: those for its `kind`, or for any kind when it is not given."""
    return [
        Section(s.key, s.label, s.href.format(slug=slug), s.roles, s.kinds)
        for s in EVENT
        if role in s.roles and (kind is None or kind in s.kinds)
    ]
