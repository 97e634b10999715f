"""A prize world: the conference "kk", the research and innovation prize with a 2027 call open at T0, four
weighted criteria, three jurors on it and one juror of another prize."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.accounts.domain import add_user
from tests.conftest import Client, MakeEvent, auth

CRITERIA = [
    ({"nb": "Relevans for kommunale helse- og omsorgstjenester", "en": "Relevance for municipal health services"}, 3),
    ({"nb": "Forskningskvalitet", "en": "Research quality"}, 2),
    ({"nb": "Innovasjon", "en": "Innovation"}, 2),
    ({"nb": "Brukermedvirkning", "nn": "Brukarmedverknad", "en": "User participation"}, 1),
]
JURORS = ("ingrid@uib.no", "ola@hvl.no", "siri@bergen.kommune.no")


def call_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "year": 2027,
        "opens_at": "2027-02-01T09:00:00+01:00",
        "closes_at": "2027-04-01T12:00:00+02:00",
        "scoring_closes_at": "2027-05-01T12:00:00+02:00",
        "criteria": [{"name": name, "weight": weight} for name, weight in CRITERIA],
        "jury": list(JURORS),
        "event": "kk",
    }
    body.update(overrides)
    return body


def nomination_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "nominee_kind": "group",
        "nominee_name": "GAMUT",
        "nominee_organisation": "Universitetet i Bergen",
        "nominee_email": "gamut@uib.no",
        "title": "Musikkterapi i kommunale tjenester",
        "justification": "Senteret for musikkterapiforskning har sammen med Polyfon-klyngen gjort forskning "
        "til praksis i kommunene.",
        "links": ["https://www.uib.no/gamut"],
        "nominator_name": "Beate Husa",
        "nominator_email": "beate@bergen.kommune.no",
        "nominator_relation": "Byråd",
        "language": "nb",
    }
    body.update(overrides)
    return body


@dataclass
class PrizeWorld:
    client: AsyncTestClient[Any]
    organiser: str
    jurors: dict[str, str]  # e-mail -> token
    outsider: str  # a juror of another prize
    call_id: str
    criteria: list[str]
    other_call_id: str

    def juror(self, index: int) -> dict[str, str]:
        return auth(self.jurors[JURORS[index]])

    async def nominate(self, **overrides: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/prizes/forskningsprisen/nominations", json=nomination_body(**overrides)
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def score(self, index: int, nomination: str, values: list[int]) -> Any:
        sheet = [{"criterion_id": c, "score": v, "comment": ""} for c, v in zip(self.criteria, values, strict=True)]
        return await self.client.put(
            f"/api/v1/nominations/{nomination}/scores", json={"scores": sheet}, headers=self.juror(index)
        )


@pytest.fixture
async def world(client: Client, conn: asyncpg.Connection, make_event: MakeEvent, organiser_token: str) -> PrizeWorld:
    await make_event(slug="kk")
    jurors = {
        email: (await add_user(conn, email=email, role="jury", name=email.split("@")[0])).token for email in JURORS
    }
    outsider = (await add_user(conn, email="other-jury@example.no", role="jury")).token
    headers = auth(organiser_token)
    prize = await client.post(
        "/api/v1/prizes",
        json={"slug": "forskningsprisen", "name": {"nb": "Forsknings- og innovasjonsprisen", "en": "Research prize"}},
        headers=headers,
    )
    assert prize.status_code == 201, prize.text
    call = await client.post("/api/v1/prizes/forskningsprisen/calls", json=call_body(), headers=headers)
    assert call.status_code == 201, call.text
    other = await client.post(
        "/api/v1/prizes", json={"slug": "studentprisen", "name": {"nb": "Studentprisen"}}, headers=headers
    )
    assert other.status_code == 201, other.text
    other_call = await client.post(
        "/api/v1/prizes/studentprisen/calls",
        json=call_body(jury=["other-jury@example.no"], criteria=[{"name": {"nb": "Alt"}, "weight": 1}]),
        headers=headers,
    )
    assert other_call.status_code == 201, other_call.text
    return PrizeWorld(
        client=client,
        organiser=organiser_token,
        jurors=jurors,
        outsider=outsider,
        call_id=call.json()["id"],
        criteria=[c["id"] for c in call.json()["criteria"]],
        other_call_id=other_call.json()["id"],
    )
