"""An event that ends three hours after the test clock, people registered and some of them checked in at the
door, all through the real API; and the survey's jobs made ready as their due time would."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from tests.checkin.conftest import code_of
from tests.conftest import T0, Client, MakeEvent, auth
from tests.console.conftest import organiser, organiser_token, post_form, signed_in

__all__ = ["organiser", "organiser_token", "post_form", "signed_in"]

SLUG = "kk"
ENDS = T0 + timedelta(hours=3)
DUE = ENDS + timedelta(hours=2)

QUESTIONS: list[dict[str, Any]] = [
    {
        "kind": "rating",
        "text": {"nb": "Hvor nyttig var dagen?", "nn": "Kor nyttig var dagen?", "en": "How useful was the day?"},
    },
    {
        "kind": "choice",
        "text": {"nb": "Hvilken økt likte du best?", "en": "Which session did you like best?"},
        "choices": [{"nb": "Velferdsteknologi", "en": "Welfare technology"}, {"nb": "Tjenesteinnovasjon"}],
    },
    {
        "kind": "choices",
        "text": {"nb": "Hva vil du høre mer om?"},
        "choices": [{"nb": "Forskning"}, {"nb": "Praksis"}, {"nb": "Brukermedvirkning"}],
    },
    {"kind": "text", "text": {"nb": "Hva kan vi gjøre bedre?", "nn": "Kva kan vi gjere betre?"}},
]

Register = Callable[..., Awaitable[dict[str, Any]]]
CheckIn = Callable[[dict[str, Any]], Awaitable[None]]


@pytest.fixture
def event_times() -> dict[str, str]:
    return {
        "starts_at": (T0 + timedelta(hours=1)).isoformat(),
        "ends_at": ENDS.isoformat(),
        "registration_opens_at": (T0 - timedelta(days=30)).isoformat(),
        "registration_closes_at": (T0 + timedelta(minutes=30)).isoformat(),
    }


@pytest.fixture
async def event(make_event: MakeEvent, event_times: dict[str, str]) -> dict[str, Any]:
    return await make_event(slug=SLUG, **event_times)


@pytest.fixture
def register(client: Client) -> Register:
    async def make(name: str, email: str, language: str = "nb", slug: str = SLUG) -> dict[str, Any]:
        response = await client.post(
            f"/api/v1/events/{slug}/registrations",
            json={"name": name, "email": email, "accept_privacy": True, "language": language},
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    return make


@pytest.fixture
def door(client: Client, organiser_token: str) -> Callable[[str], Awaitable[CheckIn]]:
    """A paired door of an event; calling it admits a registration."""

    async def make(slug: str = SLUG) -> CheckIn:
        created = await client.post(
            f"/api/v1/events/{slug}/doors", json={"name": "Hovudinngang"}, headers=auth(organiser_token)
        )
        pairing = created.json()["pairing_url"].split("#pair=")[1]
        token = (await client.post("/api/v1/doors/pair", json={"code": pairing})).json()["token"]

        async def admit(registration: dict[str, Any]) -> None:
            answer = await client.post(
                "/api/v1/checkins",
                json={"code": code_of(registration), "nonce": registration["id"][:8]},
                headers=auth(token),
            )
            assert answer.json()["result"] == "admitted", answer.text

        return admit

    return make


async def make_due(conn: asyncpg.Connection, kind: str = "event.survey") -> None:
    """The database's clock is not the test's: the job is made ready now, as its due time would."""
    await conn.execute("UPDATE jobs SET run_after = now() WHERE kind = $1 AND done_at IS NULL", kind)


async def run_again(conn: asyncpg.Connection, kind: str = "event.survey") -> None:
    """As if a worker died after the fan-out committed and before the job was marked done."""
    await conn.execute("UPDATE jobs SET done_at = NULL, run_after = now() WHERE kind = $1", kind)


async def put_survey(client: Client, token: str, slug: str = SLUG, **body: Any) -> Any:
    return await client.put(f"/api/v1/events/{slug}/survey", json={"questions": QUESTIONS, **body}, headers=auth(token))
