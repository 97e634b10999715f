"""Rendering 300 certificates of attendance: all in one PDF (the organisers' download) and one PDF per person (what
the mail job and the attendee's download each make), timed --runs times (default 3); the medians are printed.

Rendering only, in this process: the texts are built as the routes build them (service/certificates/document.py),
for people with Norwegian names (æøå), each with six programme items and one of the three languages. The database
reads around it are two queries for the whole event, or one per person.

    .venv/bin/python scripts/bench/certificates.py [--people 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from service.certificates import document  # noqa: E402
from service.certificates.schemas import Attendee, ChosenItem  # noqa: E402
from service.events.schemas import Event  # noqa: E402

FIRST = ["Åse", "Bjørn", "Cecilie", "Dag", "Eirin", "Frode", "Guri", "Håkon", "Ingrid", "Jon", "Kari", "Øystein"]
LAST = ["Ødegård", "Berg", "Dahl", "Æsøy", "Haugland-Kristiansen", "Lie", "Nilsen", "Solheim", "Tveit", "Vik"]
LANGUAGES = ["nb", "nn", "en"]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    the_event, people = event(), attendees(args.people)
    issued = START + timedelta(hours=9)
    one_pdf: list[float] = []
    each: list[float] = []
    size = 0
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        texts = [document.certificate_text(the_event, person, issued_at=issued) for person in people]
        pdf = document.render(texts, title=the_event.slug)
        one_pdf.append(time.perf_counter() - started)
        size = len(pdf)
        started = time.perf_counter()
        for person in people:
            text = document.certificate_text(the_event, person, issued_at=issued)
            document.render([text], title=text.heading)
        each.append(time.perf_counter() - started)
        print(f"run {run}: one PDF {one_pdf[-1]:.2f} s ({size / 1024:.0f} KiB), one per person {each[-1]:.2f} s")
    print(f"{args.people} certificates, median of {args.runs} runs:")
    print(f"  one PDF of {args.people} pages: {statistics.median(one_pdf):.2f} s")
    print(
        f"  {args.people} PDFs of one page:  {statistics.median(each):.2f} s "
        f"({statistics.median(each) / args.people * 1000:.1f} ms each)"
    )
    print(f"  load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
