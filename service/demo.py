"""Demo data: Kunnskapskommunekonferansen 2027 with its programme, an Alrek workshop series with perspective
groups, registrations (with chosen sessions and ranked perspectives), and the research and innovation prize
with an open call and nominations.

Loading is idempotent: what exists is kept. Names and partners come from the seed documents.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import random
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from . import db
from .accounts.domain import add_user, issue_token
from .accounts.queries import user_by_email
from .accounts.schemas import Principal
from .console import passwords
from .console.queries import user_for_sign_in
from .errors import DomainError
from .events.domain import create_event
from .events.queries import event_by_slug
from .events.schemas import Event, EventIn
from .hooks import EVENT_CREATE_HOOKS, REGISTRATION_HOOKS
from .nominations.domain import create_call, create_prize, nominate
from .nominations.queries import prize_by_slug
from .nominations.schemas import CallIn, CriterionIn, NominationIn
from .programme.domain import choose_sessions, create_session
from .programme.schemas import SessionIn, Speaker
from .registrations.domain import register_attendee
from .registrations.schemas import PARTNERS, RegistrationIn
from .types import OSLO, LocalizedLine, LocalizedText
from .workshops.domain import add_group
from .workshops.schemas import GroupIn

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


GROUPS = ["pasient", "parorande", "tilsett", "student"]
_GROUP_NAMES = {
    "pasient": ("Pasient", "Pasient", "Patient"),
    "parorande": ("Pårørende", "Pårørande", "Next of kin"),
    "tilsett": ("Ansatt", "Tilsett", "Employee"),
    "student": ("Student", "Student", "Student"),
}
# Each group's perspective, the short description the sign-up form shows beside its name.
_GROUP_PERSPECTIVES = {
    "pasient": (
        "Se tjenesten fra den som mottar helsehjelp: behov, møter og overganger.",
        "Sjå tenesta frå den som får helsehjelp: behov, møte og overgangar.",
        "See the service from the person receiving care: needs, meetings and transitions.",
    ),
    "parorande": (
        "Se det fra familie og nære: hva de bærer, og hva de trenger å vite.",
        "Sjå det frå familie og nære: kva dei ber, og kva dei treng å vite.",
        "See it from family and those close: what they carry and what they need to know.",
    ),
    "tilsett": (
        "Se det fra dem som gir tjenesten: arbeidsdag, samarbeid og verktøy.",
        "Sjå det frå dei som gir tenesta: arbeidsdag, samarbeid og verktøy.",
        "See it from those who give the service: the working day, teamwork and tools.",
    ),
    "student": (
        "Se det med nye øyne: hva undrer du deg over i praksis?",
        "Sjå det med nye auge: kva undrar du deg over i praksis?",
        "See it with fresh eyes: what puzzles you in practice?",
    ),
}


def _line(nb: str, nn: str, en: str) -> LocalizedLine:
    return LocalizedLine(nb=nb, nn=nn, en=en)


async def _programme(conn: asyncpg.Connection, event: Event, actor: Principal, now: datetime) -> list[list[UUID]]:
    """The conference programme; returns the blocks of parallel sessions (ids) attendees choose among."""
    day = event.starts_at.astimezone(OSLO)

    def at(hour: int, minute: int = 0) -> datetime:
        return day.replace(hour=hour, minute=minute)

    async def add(kind: str, title: LocalizedLine, start: datetime, end: datetime, **extra: object) -> UUID:
        data = SessionIn(kind=kind, title=title, starts_at=start, ends_at=end, **extra)  # type: ignore[arg-type]
        return (await create_session(conn, event.id, data, actor=actor, now=now)).id

    speaker = Speaker(name="Hilde Haugland", organisation="Bergen kommune", bio="Leder Kunnskapskommunen.")
    await add(
        "plenary",
        _line("Åpning og velkommen", "Opning og velkomen", "Opening and welcome"),
        at(9),
        at(9, 30),
        room="Auditoriet",
        speakers=[speaker],
    )
    blocks: list[list[UUID]] = []
    tracks = [
        ("Velferdsteknologi i praksis", "Velferdsteknologi i praksis", "Welfare technology in practice"),
        ("Brukermedvirkning i forskning", "Brukarmedverknad i forsking", "User participation in research"),
        ("Musikkterapi i kommunene", "Musikkterapi i kommunane", "Music therapy in municipalities"),
    ]
    for start, end in ((at(9, 45), at(10, 45)), (at(11, 0), at(12, 0))):
        block = []
        for room, track, (nb, nn, en) in zip(("Rom 1", "Rom 2", "Rom 3"), "ABC", tracks, strict=True):
            label = " II" if blocks else ""
            block.append(
                await add(
                    "parallel",
                    _line(nb + label, nn + label, en + label),
                    start,
                    end,
                    room=room,
                    track=track,
                    capacity=120,
                )
            )
        blocks.append(block)
    await add("break", _line("Lunsj", "Lunsj", "Lunch"), at(12, 0), at(12, 45), room="Kantina")
    await add(
        "plenary",
        _line(
            "Utdeling av forsknings- og innovasjonsprisen",
            "Utdeling av forskings- og innovasjonsprisen",
            "The research and innovation prize",
        ),
        at(14, 30),
        at(15, 15),
        room="Auditoriet",
    )
    await add("social", _line("Mingling", "Mingling", "Get-together"), at(15, 15), at(16, 0), room="Foajeen")
    return blocks


async def _groups(conn: asyncpg.Connection, event: Event, now: datetime) -> None:
    for key in GROUPS:
        nb, nn, en = _GROUP_NAMES[key]
        pnb, pnn, pen = _GROUP_PERSPECTIVES[key]
        perspective = LocalizedText(nb=pnb, nn=pnn, en=pen)
        group = GroupIn(key=key, name=_line(nb, nn, en), perspective=perspective, capacity=10)
        await add_group(conn, event, group, actor="demo", now=now)


async def _prize(conn: asyncpg.Connection, actor: Principal, now: datetime, rng: random.Random) -> None:
    """The research and innovation prize with its 2027 call open now, awarded at the conference."""
    if await prize_by_slug(conn, "forsknings-og-innovasjonsprisen") is not None:
        return
    prize = await create_prize(
        conn,
        slug="forsknings-og-innovasjonsprisen",
        name={
            "nb": "Forsknings- og innovasjonsprisen",
            "nn": "Forskings- og innovasjonsprisen",
            "en": "The research and innovation prize",
        },
        description={
            "nb": "Prisen går til et prosjekt som har gjort forskning eller innovasjon til praksis i de "
            "kommunale helse- og omsorgstjenestene."
        },
        actor=actor,
    )
    criteria = [
        CriterionIn(
            name=_line(
                "Relevans for kommunale helsetjenester",
                "Relevans for kommunale helsetenester",
                "Relevance for municipal health services",
            ),
            weight=3,
        ),
        CriterionIn(name=_line("Forskningskvalitet", "Forskingskvalitet", "Research quality"), weight=2),
        CriterionIn(name=_line("Innovasjon", "Innovasjon", "Innovation"), weight=2),
        CriterionIn(name=_line("Brukermedvirkning", "Brukarmedverknad", "User participation"), weight=1),
    ]
    await create_call(
        conn,
        prize,
        CallIn(
            year=2027,
            opens_at=now - timedelta(days=7),
            closes_at=now + timedelta(days=60),
            scoring_closes_at=now + timedelta(days=90),
            criteria=criteria,
            event="kk-konferansen-2027",
        ),
        actor=actor,
        now=now,
    )
    for nominee, organisation, title in (
        ("GAMUT", "Universitetet i Bergen", "Musikkterapi i kommunale tjenester"),
        ("Polyfon kunnskapsklynge", "Høgskulen på Vestlandet", "Kunnskapsklynge for musikkterapi"),
        ("Velferdsteknologiteamet", "Bergen kommune", "Digitalt tilsyn i hjemmetjenesten"),
    ):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        await nominate(
            conn,
            prize.slug,
            data=NominationIn(
                nominee_kind="group",
                nominee_name=nominee,
                nominee_organisation=organisation,
                title=title,
                justification=f"{nominee} har gjort forskning til praksis i kommunene, til beste for brukerne.",
                nominator_name=f"{first} {last}",
                nominator_email=f"{first}.{last}@example.no".lower().replace("ø", "o").replace("å", "a"),
            ),
            now=now,
        )


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
            user_id = user.id
            token = await issue_token(conn, user_id, label="demo")
        actor = Principal(user_id=user_id, email=ORGANISER_EMAIL, role="organiser")
        now = datetime.now(UTC)
        rng = random.Random(2027)
        for event in EVENTS:
            if await event_by_slug(conn, event.slug) is not None:
                continue
            made = await create_event(conn, event, actor=actor, now=now, hooks=EVENT_CREATE_HOOKS)
            sessions = await _programme(conn, made, actor, now) if event.kind == "conference" else []
            if event.kind == "workshop":
                await _groups(conn, made, now)
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
                    perspectives=rng.sample(GROUPS, 2) if event.kind == "workshop" else None,
                )
                try:
                    registration = await register_attendee(
                        conn, event.slug, data=data, now=now, source="demo", hooks=REGISTRATION_HOOKS
                    )
                    choice = [rng.choice(block) for block in sessions]
                    if choice:
                        await choose_sessions(conn, registration.id, choice, actor="demo", now=now)
                except DomainError:
                    continue
        await _prize(conn, actor, now, rng)
        return token
    finally:
        await conn.close()


async def demo_console_password(database_url: str, secret: bytes) -> str | None:
    """The demo organiser's console password, derived from the secret key: the same on every run and known only
    to whoever holds the key. Set when the organiser has none yet; None when someone has chosen another since."""
    tag = hmac.new(secret, b"demo-console-password", hashlib.sha256).digest()[:12]
    password = base64.urlsafe_b64encode(tag).decode()
    conn = await db.connect(database_url)
    try:
        row = await user_for_sign_in(conn, ORGANISER_EMAIL)
        if row is None:
            return None
        if row.hash is None:
            await passwords.set_password_of(conn, ORGANISER_EMAIL, password, now=datetime.now(UTC))
            return password
        return password if await asyncio.to_thread(passwords.verify, row.hash, password) else None
    finally:
        await conn.close()
