"""Operations: health, readiness, request ids, OpenAPI, and the organiser closing registration."""

from __future__ import annotations

import json
import logging

import pytest

from service.logs import JsonFormatter, request_id
from tests.conftest import Client, MakeEvent, auth


async def test_health_and_readiness_answer(client: Client) -> None:
    health = await client.get("/healthz")
    ready = await client.get("/readyz")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})


async def test_request_id_is_echoed_or_made_and_logged(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="moteplass.http")

    given = await client.get("/api/v1/events", headers={"X-Request-ID": "abc-123"})
    made = await client.get("/api/v1/events", headers={"X-Request-ID": "not valid!"})

    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32
    lines = [r for r in caplog.records if r.getMessage() == "request"]
    # the method, path and status are the records' extra fields, which LogRecord does not declare
    assert [(vars(r)["method"], vars(r)["path"], vars(r)["status"]) for r in lines] == [
        ("GET", "/api/v1/events", 200)
    ] * 2


async def test_logs_are_json_lines_with_the_request_id() -> None:
    token = request_id.set("rid-1")
    try:
        line = JsonFormatter().format(logging.makeLogRecord({"msg": "hello æøå", "levelname": "INFO", "job_id": 7}))
    finally:
        request_id.reset(token)

    entry = json.loads(line)
    assert (entry["message"], entry["request_id"], entry["job_id"], entry["level"]) == ("hello æøå", "rid-1", 7, "info")


async def test_openapi_document_lists_the_contract_paths(client: Client) -> None:
    document = (await client.get("/schema/openapi.json")).json()

    assert {
        "/api/v1/events",
        "/api/v1/events/{slug}",
        "/api/v1/events/{slug}/registrations",
        "/api/v1/registrations/self",
    } <= set(document["paths"])
    assert document["components"]["schemas"]["RegistrationIn"]["additionalProperties"] is False


async def test_organiser_closes_and_reopens_registration(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    body = {"name": "Kari", "email": "kari@example.no", "accept_privacy": True}

    await client.patch("/api/v1/events/kk", json={"registration_paused": True}, headers=auth(organiser_token))
    closed = await client.post("/api/v1/events/kk/registrations", json=body)
    await client.patch("/api/v1/events/kk", json={"registration_paused": False}, headers=auth(organiser_token))
    reopened = await client.post("/api/v1/events/kk/registrations", json=body)

    assert (closed.status_code, closed.json()["code"]) == (409, "registration_closed")
    assert (reopened.status_code, reopened.json()["status"]) == (201, "confirmed")
