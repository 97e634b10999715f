"""Demo data: Kunnskapskommunekonferansen 2027 and an Alrek workshop series, with registrations.

Loading is idempotent: what exists is kept. Names and partners come from the seed documents.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from . import db
from .accounts.domain import add_user, issue_token
from .accounts.queries import user_by_email
from .accounts.schemas import Principal
from .errors import DomainError
from .events.domain import create_event
from .events.queries import event_by_slug
from .events.schemas import EventIn
from .registrations.domain import register_attendee
from .registrations.schemas import PARTNERS, RegistrationIn
from .types import LocalizedLine, LocalizedText

OSLO = ZoneInfo("Europe/Oslo")
ORGANISER_EMAIL = "arrangor@bergen.kommune.no"

FIRST = [
    "Kari",
    "Ola",
    "Ingrid",
    "Lars",
    "Solveig",
    "Håkon",
    "Astrid",
    "Bjørn",
    "Sigrid",
    "Eirik",
    "Åse",
    "Torstein",
    "Ragnhild",
    "Magnus",
    "Liv",
    "Øystein",
    "Marit",
    "Anders",
    "Hilde",
    "Jørgen",
]
LAST = [
    "Nordmann",
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Berg",
    "Haugland",
    "Vik",
    "Solheim",
    "Brekke",
    "Dale",
    "Hauge",
    "Sæther",
    "Mjelde",
    "Aasen",
    "Fjeld",
]
ROLES = ["municipal_employee", "researcher", "student", "user_representative", "other"]


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


EVENTS = [
    EventIn(
        slug="kk-konferansen-2027",
        kind="conference",
        title=LocalizedLine(
            nb="Kunnskapskommunekonferansen 2027",
            nn="Kunnskapskommunekonferansen 2027",
            en="The Knowledge Municipality Conference 2027",
        ),
        description=LocalizedText(
            nb="Den årlige konferansen til Kunnskapskommunen Helse Omsorg Vest: forskning, innovasjon og utdanning "
            "i de kommunale helse- og omsorgstjenestene. Plenum, parallellsesjoner og utdeling av "
            "forsknings- og innovasjonsprisen.",
            nn="Den årlege konferansen til Kunnskapskommunen Helse Omsorg Vest: forsking, innovasjon og utdanning "
            "i dei kommunale helse- og omsorgstenestene. Plenum, parallellsesjonar og utdeling av "
            "forskings- og innovasjonsprisen.",
            en="The annual conference of Kunnskapskommunen Helse Omsorg Vest: research, innovation and education "
            "in municipal health and care services. Plenary and parallel sessions, and the research and "
            "innovation prize.",
        ),
        venue="Alrek helseklynge",
        address="Årstadveien 17, 5009 Bergen",
        starts_at=_at(2027, 6, 10, 9),
        ends_at=_at(2027, 6, 10, 16),
        capacity=300,
        registration_opens_at=_at(2026, 11, 1, 9),
        registration_closes_at=_at(2027, 6, 3, 23, 59),
        status="published",
        organiser_name="Kunnskapskommunen Helse Omsorg Vest",
    ),
    *(
        EventIn(
            slug=f"alrek-intro-{label}-2027",
            kind="workshop",
            title=LocalizedLine(
                nb=f"Alrek-workshop: INTRO ({title_nb})",
                nn=f"Alrek-workshop: INTRO ({title_nn})",
                en=f"Alrek workshop: INTRO ({title_en})",
            ),
            description=LocalizedText(
                nb="Designtenkning for et introduksjonsopplegg til den kommunale helse- og omsorgssektoren. "
                "Deltakerne deles i fire grupper som hver velger sitt perspektiv.",
                nn="Designtenking for eit introduksjonsopplegg til den kommunale helse- og omsorgssektoren. "
                "Deltakarane vert delte i fire grupper som kvar vel sitt perspektiv.",
                en="Design thinking for an introduction to municipal health and care services. Participants "
                "split into four groups, each choosing its own perspective.",
            ),
            venue="Alrek helseklynge",
            address="Årstadveien 17, 5009 Bergen",
            starts_at=start,
            ends_at=end,
            capacity=40,
            registration_opens_at=_at(2026, 11, 1, 9),
            registration_closes_at=close,
            status="published",
            series="alrek-intro-2027",
            organiser_name="Alrek helseklynge",
        )
        for label, title_nb, title_nn, title_en, start, end, close in (
            ("juni", "juni", "juni", "June", _at(2027, 6, 17, 9), _at(2027, 6, 17, 15), _at(2027, 6, 10, 23, 59)),
            (
                "september",
                "september",
                "september",
                "September",
                _at(2027, 9, 16, 9),
                _at(2027, 9, 16, 15),
                _at(2027, 9, 9, 23, 59),
            ),
        )
    ),
]


async def load_demo(database_url: str, *, reset: bool = False, registrations: int = 60) -> str:
    """Load the demo (idempotently); returns a fresh bearer token for the demo organiser."""
    conn = await db.connect(database_url)
    try:
        if reset:
            await conn.execute("DELETE FROM events WHERE slug = ANY($1::text[])", [e.slug for e in EVENTS])
        user = await user_by_email(conn, ORGANISER_EMAIL)
        if user is None:
            created = await add_user(conn, email=ORGANISER_EMAIL, role="organiser", name="Demo-arrangør")
            token, user_id = created.token, created.user_id
        else:
            user_id = user["id"]
            token = await issue_token(conn, user_id, label="demo")
        actor = Principal(user_id=user_id, email=ORGANISER_EMAIL, role="organiser")
        now = datetime.now(UTC)
        rng = random.Random(2027)
        for event in EVENTS:
            if await event_by_slug(conn, event.slug) is not None:
                continue
            await create_event(conn, event, actor=actor, now=now)
            count = registrations if event.kind == "conference" else 12
            for n in range(count):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                data = RegistrationIn(
                    name=f"{first} {last}",
                    email=f"{first}.{last}.{n}@example.no".lower()
                    .replace("å", "a")
                    .replace("ø", "o")
                    .replace("æ", "ae"),
                    accept_privacy=True,
                    organisation=rng.choice(PARTNERS),
                    role=rng.choice(ROLES),  # type: ignore[arg-type]
                    language=rng.choice(["nb", "nb", "nb", "nn", "en"]),
                )
                try:
                    await register_attendee(conn, event.slug, data=data, now=now, source="demo")
                except DomainError:
                    continue
        return token
    finally:
        await conn.close()
