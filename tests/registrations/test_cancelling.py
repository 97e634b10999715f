"""Cancelling from the manage page asks first (a page, no JavaScript needed), and the page afterwards offers the
way back: a new registration with the same answers while registration is open."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.conftest import Client, MakeEvent
from tests.registrations.test_pages import FORM


async def _registered(client: Client, email: str = "kari@example.no") -> str:
    submitted = await client.post("/events/kk/register", data={**FORM, "email": email}, follow_redirects=False)
    location: str = submitted.headers["location"]
    return location.removeprefix("http://testserver.local").split("?")[0]


async def _status(conn: asyncpg.Connection, email: str = "kari@example.no") -> list[str]:
    rows = await conn.fetch("SELECT status FROM registrations WHERE email = $1 ORDER BY created_at, status", email)
    return [r["status"] for r in rows]


@pytest.mark.parametrize(
    ("lang", "question", "yes", "no"),
    [
        ("nb", "Vil du melde deg av?", "Ja, meld meg av", "Nei, behold påmeldingen"),
        ("nn", "Vil du melde deg av?", "Ja, meld meg av", "Nei, behald påmeldinga"),
        ("en", "Cancel your registration?", "Yes, cancel my registration", "No, keep my registration"),
    ],
)
async def test_cancel_link_opens_a_question_and_changes_nothing(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection, lang: Any, question: Any, yes: Any, no: Any
) -> None:
    await make_event(slug="kk")
    path = await _registered(client)
    manage = await client.get(f"{path}?lang={lang}")

    asked = await client.get(f"{path}/cancel?lang={lang}")

    assert f'id="cancel" href="{path}/cancel?lang={lang}"' in manage.text
    assert (asked.status_code, asked.headers["cache-control"]) == (200, "no-store")
    assert f">{question}</h1>" in asked.text
    assert '<input type="hidden" name="confirm" value="yes">' in asked.text
    assert yes in asked.text
    assert f'href="{path}?lang={lang}" id="keep">{no}</a>' in asked.text
    assert await _status(conn) == ["confirmed"]


async def test_cancel_post_without_confirmation_asks_first(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    path = await _registered(client)

    tapped = await client.post(f"{path}/cancel?lang=nn", follow_redirects=False)

    assert (tapped.status_code, tapped.headers["location"]) == (303, f"{path}/cancel?lang=nn")
    assert await _status(conn) == ["confirmed"]


async def test_confirmed_cancel_then_register_again_gets_a_new_seat(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk")
    path = await _registered(client)

    cancelled = await client.post(f"{path}/cancel?lang=nn", data={"confirm": "yes"}, follow_redirects=False)
    after = await client.get(cancelled.headers["location"])
    again = await client.post(f"{path}/register-again?lang=nn", follow_redirects=False)
    new_path = again.headers["location"].removeprefix("http://testserver.local").split("?")[0]
    welcome = await client.get(again.headers["location"])

    assert cancelled.headers["location"] == f"{path}?notice=cancelled&lang=nn"
    assert "Angrar du? Det er framleis ledige plassar." in after.text
    assert 'id="register-again">Meld meg på att</button>' in after.text
    assert again.status_code == 303
    assert new_path != path
    assert "<strong>Stadfesta</strong>" in welcome.text
    assert await _status(conn) == ["cancelled", "confirmed"]
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM registrations WHERE email = $1 AND organisation = 'UiB' AND language = 'nn'",
            "kari@example.no",
        )
        == 2
    )


async def test_register_again_when_full_joins_the_waiting_list(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=1)
    path = await _registered(client)
    await client.post(f"{path}/cancel", data={"confirm": "yes"})
    await _registered(client, "ola@example.no")  # takes the freed seat

    after = await client.get(f"{path}?lang=en")
    await client.post(f"{path}/register-again")

    assert "Changed your mind? The event is full now, so you would go on the waiting list." in after.text
    assert 'id="register-again">Join the waiting list</button>' in after.text
    assert await _status(conn) == ["cancelled", "waitlisted"]


async def test_register_again_after_registration_closed_is_refused_on_the_page(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection, clock: Any
) -> None:
    await make_event(slug="kk")
    path = await _registered(client)
    await client.post(f"{path}/cancel", data={"confirm": "yes"})
    await conn.execute("UPDATE events SET registration_paused = true")

    after = await client.get(f"{path}?lang=en")
    refused = await client.post(f"{path}/register-again?lang=en", follow_redirects=False)

    assert 'register-again"' not in after.text
    assert "Registration for this event is not open, so you cannot register again here." in after.text
    assert refused.headers["location"] == f"{path}?notice=registration_closed&lang=en"
    assert await _status(conn) == ["cancelled"]
