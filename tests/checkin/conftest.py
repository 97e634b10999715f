"""Doors and tickets for the check-in tests, made through the real API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from integrations import qr
from tests.conftest import SECRET, auth

NewDoor = Callable[..., Awaitable[tuple[dict[str, Any], str]]]
Register = Callable[..., Awaitable[dict[str, Any]]]


def code_of(registration: dict[str, Any]) -> str:
    """The ticket code of a registration (what its QR holds): the one in ticket_url once it is confirmed."""
    return qr.sign(SECRET.encode(), "ticket", UUID(registration["id"]), 1)


@pytest.fixture
def new_door(client: AsyncTestClient[Any], organiser_token: str) -> NewDoor:
    """Create a door for an event and pair it: (the door as created, the door's token)."""

    async def make(slug: str = "kk", name: str = "Hovudinngang") -> tuple[dict[str, Any], str]:
        created = await client.post(f"/api/v1/events/{slug}/doors", json={"name": name}, headers=auth(organiser_token))
        assert created.status_code == 201, created.text
        door: dict[str, Any] = created.json()
        pairing = door["pairing_url"].split("#pair=")[1]
        paired = await client.post("/api/v1/doors/pair", json={"code": pairing})
        assert paired.status_code == 200, paired.text
        token: str = paired.json()["token"]
        return door, token

    return make


@pytest.fixture
def register(client: AsyncTestClient[Any]) -> Register:
    async def make(name: str, email: str, slug: str = "kk", organisation: str = "Bergen kommune") -> dict[str, Any]:
        response = await client.post(
            f"/api/v1/events/{slug}/registrations",
            json={"name": name, "email": email, "accept_privacy": True, "organisation": organisation},
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    return make
