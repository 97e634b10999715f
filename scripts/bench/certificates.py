"""300 certificates of attendance, timed --runs times (default 3), medians printed:

1. rendering only, in this process: all in one PDF (the organisers' download) and one PDF per person (what the
   mail job and the attendee's download each make), the texts built as the routes build them
   (service/certificates/document.py), for people with Norwegian names (æøå), six programme items each, in the
   three languages;
2. with --mail: mailing them all on a fresh database (a clone of the template built from migrations/) with 300
   checked-in people: `mail_certificates` (one transaction) and then the real worker code (20 jobs at a time, as
   WORKER_CONCURRENCY's default) with SMTP to a local aiosmtpd sink, until the sink holds every mail.

    .venv/bin/python scripts/bench/certificates.py [--people 300] [--runs 3] [--mail]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from integrations.mail import SmtpMailer  # noqa: E402
from service import db  # noqa: E402
from service.accounts.domain import add_user  # noqa: E402
from service.certificates import document  # noqa: E402
from service.certificates.domain import mail_certificates  # noqa: E402
from service.certificates.schemas import Attendee, ChosenItem  # noqa: E402
from service.events import queries as event_queries  # noqa: E402
from service.events.schemas import Event  # noqa: E402
from service.jobcontext import JobContext  # noqa: E402
from service.jobs import Worker  # noqa: E402
from service.settings import Secret, Settings  # noqa: E402
from service.worker import handlers  # noqa: E402
from tests.dbutil import admin_url, build_template, clone, drop  # noqa: E402
from tests.smtp import SmtpServer  # noqa: E402

# An event that ended, its people (a confirmed seat each) admitted at one door; all in SQL, for speed.
EVENT = """
INSERT INTO events (slug, kind, title, starts_at, ends_at, capacity, status, organiser_name)
VALUES ('bench-bevis', 'conference', '{"nb": "Kunnskapskommunekonferansen 2027"}', $1, $2, $3, 'published',
        'Kunnskapskommunen Helse Omsorg Vest') RETURNING id
"""
PEOPLE = """
INSERT INTO registrations (event_id, status, name, email, email_norm, language, privacy_accepted_at)
SELECT $1, 'confirmed', 'Åse Ødegård ' || n, 'person' || n || '@example.no', 'person' || n || '@example.no',
       (ARRAY['nb', 'nn', 'en'])[n % 3 + 1], now()
  FROM generate_series(1, $2) AS n
"""
DOOR = "INSERT INTO doors (event_id, user_id, name, created_at) VALUES ($1, $2, 'Inngang', now()) RETURNING id"
ADMIT = """
WITH scans AS (
    INSERT INTO checkin_scans (door_id, registration_id, nonce, result, scanned_at, received_at)
    SELECT $2, r.id, r.id::text, 'admitted', now(), now() FROM registrations r WHERE r.event_id = $1
    RETURNING id, registration_id, scanned_at
)
INSERT INTO checkin_admissions (registration_id, event_id, door_id, scan_id, scanned_at)
SELECT registration_id, $1, $2, id, scanned_at FROM scans
"""

FIRST = ["Åse", "Bjørn", "Cecilie", "Dag", "Eirin", "Frode", "Guri", "Håkon", "Ingrid", "Jon", "Kari", "Øystein"]
LAST = ["Ødegård", "Berg", "Dahl", "Æsøy", "Haugland-Kristiansen", "Lie", "Nilsen", "Solheim", "Tveit", "Vik"]
LANGUAGES = ["nb", "nn", "en"]
ORGANISATION = "Kunnskapskommunen Helse Omsorg Vest og Alrek helseklynge"
START = datetime(2027, 6, 10, 7, 0, tzinfo=UTC)


def event() -> Event:
    return Event(
        id=uuid.uuid4(),
        slug="kk-konferansen-2027",
        kind="conference",
        title={"nb": "Kunnskapskommunekonferansen 2027", "en": "The Knowledge Municipality Conference 2027"},
        description={},
        venue="Alrek helseklynge",
        address="Årstadveien 17, Bergen",
        starts_at=START,
        ends_at=START + timedelta(hours=7),
        capacity=300,
        registration_opens_at=None,
        registration_closes_at=None,
        registration_paused=False,
        status="published",
        series=None,
        organiser_name="Kunnskapskommunen Helse Omsorg Vest",
    )


def attendees(count: int) -> list[Attendee]:
    items = [
        ChosenItem(
            title={"nb": f"Parallellsesjon {n}: Tjenesteinnovasjon og velferdsteknologi i kommunene"},
            starts_at=START + timedelta(hours=n),
            ends_at=START + timedelta(hours=n, minutes=45),
        )
        for n in range(6)
    ]
    return [
        Attendee(
            id=uuid.uuid4(),
            name=f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}",
            email=f"person{i}@example.no",
            language=LANGUAGES[i % 3],
            items=items,
        )
        for i in range(count)
    ]


async def mail_all(people: int, runs: int) -> list[float]:
    """Seconds from asking to mail every certificate to the sink holding them all, per run."""
    server = admin_url()
    template, name = f"mp_bench_tpl_{uuid.uuid4().hex[:8]}", f"mp_bench_{uuid.uuid4().hex[:8]}"
    await build_template(server, template)
    url = await clone(server, template, name)
    smtp = SmtpServer()
    smtp.start()
    settings = Settings(database_url=url, secret_key=Secret("x" * 40), smtp_url=smtp.url, base_url="http://bench")
    pool = await db.create_pool(url, size=22)
    mailer = SmtpMailer(smtp.url, settings.mail_from)
    seconds: list[float] = []
    try:
        async with pool.acquire() as conn:
            event_id = await conn.fetchval(EVENT, START, START + timedelta(hours=7), people)
            await conn.execute(PEOPLE, event_id, people)
            user = await add_user(conn, email="door@example.no", role="door")
            door = await conn.fetchval(DOOR, event_id, user.user_id)
            await conn.execute(ADMIT, event_id, door)
            the_event = await event_queries.event_by_id(conn, event_id)
            assert the_event is not None
        now = START + timedelta(hours=9)
        worker = Worker(pool, handlers(), JobContext(pool=pool, settings=settings, mailer=mailer, clock=lambda: now))
        for run in range(1, runs + 1):
            async with pool.acquire() as conn:
                await conn.execute("DELETE FROM certificate_mails; DELETE FROM jobs")
                smtp.sink.messages.clear()
                started = time.perf_counter()
                out = await mail_certificates(conn, the_event, actor="bench", now=now)
            while await worker.run_once():
                pass
            seconds.append(time.perf_counter() - started)
            assert out.queued == people, out
            assert len(smtp.sink.messages) == people, len(smtp.sink.messages)
            print(f"mail run {run}: {seconds[-1]:.2f} s for {people} mails", flush=True)
    finally:
        await mailer.close()
        await pool.close()
        smtp.stop()
        await drop(server, name)
        await drop(server, template)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mail", action="store_true", help="also mail them all through the worker (needs PostgreSQL)")
    args = parser.parse_args()
    the_event, people = event(), attendees(args.people)
    issued = START + timedelta(hours=9)
    one_pdf: list[float] = []
    each: list[float] = []
    size = 0
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        texts = [
            document.certificate_text(the_event, person, issued_at=issued, organisation=ORGANISATION)
            for person in people
        ]
        pdf = document.render(texts, title=the_event.slug)
        one_pdf.append(time.perf_counter() - started)
        size = len(pdf)
        started = time.perf_counter()
        for person in people:
            text = document.certificate_text(the_event, person, issued_at=issued, organisation=ORGANISATION)
            document.render([text], title=text.heading)
        each.append(time.perf_counter() - started)
        print(f"run {run}: one PDF {one_pdf[-1]:.2f} s ({size / 1024:.0f} KiB), one per person {each[-1]:.2f} s")
    print(f"{args.people} certificates, median of {args.runs} runs:")
    print(f"  one PDF of {args.people} pages: {statistics.median(one_pdf):.2f} s")
    print(
        f"  {args.people} PDFs of one page:  {statistics.median(each):.2f} s "
        f"({statistics.median(each) / args.people * 1000:.1f} ms each)"
    )
    if args.mail:
        mailed = asyncio.run(mail_all(args.people, args.runs))
        print(f"  mailing all {args.people} through the worker: {statistics.median(mailed):.2f} s")
    print(f"  load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
