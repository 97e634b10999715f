"""Workshops of the INTRO series (June and September) with perspective groups, made through the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import Client, MakeEvent, auth

MakeWorkshop = Callable[..., Awaitable[dict[str, Any]]]

GROUPS = (
    ("patient", {"nb": "Pasient", "nn": "Pasient", "en": "Patient"}, {"nb": "Se det fra pasientens side."}),
    ("next-of-kin", {"nb": "Pårørende", "nn": "Pårørande", "en": "Next of kin"}, {"nb": "Se det som pårørende."}),
    ("employee", {"nb": "Ansatt", "nn": "Tilsett", "en": "Employee"}, {"nb": "Se det som ansatt."}),
)


def person(email: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": email.split("@")[0].title(), "email": email, "accept_privacy": True}
    body.update(overrides)
    return body


@pytest.fixture
def make_workshop(client: Client, organiser_token: str, make_event: MakeEvent) -> MakeWorkshop:
    async def make(slug: str, *, capacity: int = 20, groups: tuple[int, ...] = (2, 2, 2), **overrides: Any) -> Any:
        event = await make_event(slug=slug, kind="workshop", capacity=capacity, **overrides)
        for (key, name, perspective), group_capacity in zip(GROUPS, groups, strict=False):
            response = await client.post(
                f"/api/v1/events/{slug}/groups",
                json={"key": key, "name": name, "perspective": perspective, "capacity": group_capacity},
                headers=auth(organiser_token),
            )
            assert response.status_code == 201, response.text
        return event

    return make


@pytest.fixture
async def intro(make_workshop: Callable[..., Awaitable[dict[str, Any]]]) -> tuple[str, str]:
    await make_workshop(
        "intro-juni", series="intro", starts_at="2027-06-18T09:00:00+02:00", ends_at="2027-06-18T15:00:00+02:00"
    )
    await make_workshop(
        "intro-september",
        capacity=1,
        series="intro",
        starts_at="2027-09-16T09:00:00+02:00",
        ends_at="2027-09-16T15:00:00+02:00",
    )
    return "intro-juni", "intro-september"
