"""registrations.queries.filter_where: the one filter of an event's registrations (API list, console table, exports)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import asyncpg

from service.registrations.queries import filter_where
from tests.checkin.conftest import register  # noqa: F401 - fixture used below
from tests.conftest import MakeEvent


async def _names(conn: Any, event_id: str, **chosen: Any) -> list[str]:
    clauses, params = filter_where(UUID(event_id), **chosen)
    rows = await conn.fetch(
        f"SELECT r.name FROM registrations r WHERE {' AND '.join(clauses)} ORDER BY r.name",  # noqa: S608 - clauses from filter_where
        *params,
    )
    return [row["name"] for row in rows]


async def test_filter_where_finds_text_in_name_email_and_organisation(
    conn: asyncpg.Connection, make_event: MakeEvent, register: Any
) -> None:
    event = await make_event(slug="kk")
    await make_event(slug="other")
    await register("Kari Nordmann", "kari@example.no", organisation="Bergen kommune")
    await register("Ola Hansen", "ola@haukeland.no", organisation="Helse Bergen")
    await register("Per Berg", "per@example.no", organisation="Askøy kommune")
    await register("Kari Annen", "kari2@example.no", slug="other")

    found = {text: await _names(conn, event["id"], text=text) for text in ("KARI", "haukeland", "bergen", "")}

    assert found == {
        "KARI": ["Kari Nordmann"],
        "haukeland": ["Ola Hansen"],
        "bergen": ["Kari Nordmann", "Ola Hansen"],
        "": ["Kari Nordmann", "Ola Hansen", "Per Berg"],
    }


async def test_filter_where_reads_percent_and_underscore_literally(
    conn: asyncpg.Connection, make_event: MakeEvent, register: Any
) -> None:
    event = await make_event(slug="kk")
    await register("Kari Nordmann", "kari@example.no", organisation="Team_50%")
    await register("Ola Hansen", "ola@example.no", organisation="Team 500")

    found = [await _names(conn, event["id"], text=text) for text in ("%", "_", "m_5", "50%")]

    assert found == [["Kari Nordmann"], ["Kari Nordmann"], ["Kari Nordmann"], ["Kari Nordmann"]]


async def test_filter_where_numbers_every_parameter_when_all_are_given(
    conn: asyncpg.Connection, make_event: MakeEvent, register: Any
) -> None:
    event = await make_event(slug="kk")
    await register("Kari Nordmann", "kari@example.no")

    status_only = await _names(conn, event["id"], status="confirmed", text="kari")
    everything = await _names(
        conn, event["id"], status="confirmed", role="nurse", text="kari", session=uuid4(), group=uuid4()
    )
    cancelled = await _names(conn, event["id"], status="cancelled")

    assert (status_only, everything, cancelled) == (["Kari Nordmann"], [], [])
