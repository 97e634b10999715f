"""The registration's fast lane (service/registrations/lane.py) and its batches (batching.py): it answers a plain
registration exactly as the route would — body, headers, log line, rate limits — hands everything else to the
route with the body whole, and under real concurrency never oversells, loses or double-registers anyone."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from service import ratelimit
from service.app import create_app
from service.lanes import Lane
from service.registrations.lane import RegistrationLane
from service.settings import Rate, Settings
from tests.checkin.test_lane import Lines, Recorder
from tests.conftest import Client, Clock, MakeEvent, RunJobs
from tests.smtp import SmtpServer

PATH = "/api/v1/events/kk/registrations"
# Headers that differ between any two answers (or with the body's length).
VARYING = {"date", "content-length", "x-request-id"}


def person(n: int, **extra: Any) -> dict[str, Any]:
    return {"name": f"Deltakar {n}", "email": f"person{n}@example.no", "accept_privacy": True, **extra}


async def call(lane: Lane, path: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
    """One request straight to the lane, as a server hands it over; its status, body and scope."""
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    raw = [(b"content-type", b"application/json")] + [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    scope: dict[str, Any] = {"type": "http", "method": "POST", "path": path, "headers": raw, "client": ("10.0.0.7", 5)}
    scope["path_params"] = lane.route_of(scope)  # type: ignore[arg-type]
    raw_asgi: Any = lane
    await raw_asgi(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]), scope


def alike(answer: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in answer.headers.items() if name not in VARYING}


async def test_the_lane_and_the_route_answer_alike(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk", capacity=1)
    lines = Lines()
    http_log = logging.getLogger("moteplass.http")
    http_log.addHandler(lines)
    level = http_log.level
    http_log.setLevel(logging.INFO)
    try:
        by_lane = await client.post(PATH, json=person(1), headers={"X-Request-ID": "reg-1"})
        # An Idempotency-Key is the route's to keep: the lane hands the request over.
        by_route = await client.post(PATH, json=person(2), headers={"X-Request-ID": "reg-2", "Idempotency-Key": "k2"})
    finally:
        http_log.removeHandler(lines)
        http_log.setLevel(level)

    assert (by_lane.status_code, by_route.status_code) == (201, 201)
    assert (by_lane.json()["status"], by_route.json()["status"]) == ("confirmed", "waitlisted")
    assert set(by_lane.json()) == set(by_route.json())
    assert by_route.json()["waitlist_position"] == 1
    assert alike(by_lane) == alike(by_route)  # security headers, content type: everything but id, length, date
    assert "content-security-policy" in by_lane.headers
    assert (by_lane.headers["x-request-id"], by_route.headers["x-request-id"]) == ("reg-1", "reg-2")
    logged = [{k: v for k, v in line.items() if k not in ("time", "ms", "request_id")} for line in lines.lines]
    assert (
        logged[0]
        == logged[1]
        == {
            "level": "info",
            "logger": "moteplass.http",
            "message": "request",
            "method": "POST",
            "route": "/api/v1/events/{slug}/registrations",
            "path": PATH,
            "status": 201,
        }
    )
    assert [line["request_id"] for line in lines.lines] == ["reg-1", "reg-2"]


async def test_the_lane_registers_itself_and_hands_over_the_rest(
    make_event: MakeEvent, settings: Settings, clock: Clock, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=5)
    await make_event(slug="questions", capacity=5)
    recorder = Recorder()
    app = create_app(settings, clock=clock)  # started in this test's own event loop, for its pool
    async with app.lifespan():
        lane = RegistrationLane(app.state, route=recorder)
        status, body, scope = await call(lane, PATH, json.dumps(person(1)).encode())
        assert (status, json.loads(body)["status"], recorder.bodies) == (201, "confirmed", [])
        assert ratelimit.COUNTED not in scope.get("state", {})

        handed = [
            (b'{"name": "Kari", "email": ', {}),  # not JSON
            (json.dumps({**person(2), "colour": "red"}).encode(), {}),  # an unknown field: 422
            (json.dumps({**person(3), "accept_privacy": False}).encode(), {}),  # privacy not accepted
            (json.dumps(person(4, answers={"1": "ja"})).encode(), {}),  # answers are checked by the route
            (json.dumps(person(5, sessions=["00000000-0000-0000-0000-000000000000"])).encode(), {}),
            (json.dumps(person(6, perspectives=["a"])).encode(), {}),
            (json.dumps(person(7)).encode(), {"idempotency-key": "once"}),
        ]
        for handed_body, headers in handed:
            status, _, scope = await call(lane, PATH, handed_body, headers)
            assert status == 418
            assert ratelimit.COUNTED not in scope.get("state", {})
        # Counted, then handed over: the route tells why (409, 404) without counting it again.
        for path, handed_body in (
            (PATH, json.dumps(person(1)).encode()),
            ("/api/v1/events/no-such-event/registrations", json.dumps(person(8)).encode()),
        ):
            status, _, scope = await call(lane, path, handed_body)
            assert (status, scope["state"][ratelimit.COUNTED]) == (418, True)
            handed.append((handed_body, {}))
    assert recorder.bodies == [handed_body for handed_body, _ in handed]  # replayed whole
    assert await conn.fetchval("SELECT count(*) FROM registrations") == 1


async def test_handed_over_requests_get_the_routes_problems(
    client: Client, make_event: MakeEvent, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk", capacity=5)
    assert (await client.post(PATH, json=person(1))).status_code == 201
    await run_jobs()
    smtp.sink.messages.clear()

    again = await client.post(PATH, json=person(1), headers={"Accept-Language": "en"})
    unknown = await client.post("/api/v1/events/nope/registrations", json=person(2), headers={"Accept-Language": "nn"})
    unread = await client.post(PATH, content=b'{"name": ', headers={"content-type": "application/json"})
    await run_jobs()

    assert (again.status_code, again.json()["code"]) == (409, "already_registered")
    assert again.headers["content-language"] == "en"
    assert (unknown.status_code, unknown.headers["content-language"]) == (404, "nn")
    assert unread.status_code == 400
    for answer in (again, unknown, unread):
        assert answer.headers["content-type"] == "application/problem+json"
    assert [m.rcpt_tos for m in smtp.sink.messages] == [["person1@example.no"]]  # the existing link, once


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Ten registrations an hour per address, any number per client (the tests send from one)."""
    return msgspec.structs.replace(settings, public_rate_limit=None, email_rate_limit=Rate(hits=10, seconds=3600))


async def test_rate_limits_count_a_batch_as_one_request_after_the_other(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    for n in range(1, 13):
        await make_event(slug=f"kk{n}", capacity=5)

    answers = await asyncio.gather(
        *(
            client.post(f"/api/v1/events/kk{n}/registrations", json=person(1), headers={"Accept-Language": "en"})
            for n in range(1, 13)
        )
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 10 + [429] * 2
    refused = [a for a in answers if a.status_code == 429]
    assert all(a.json()["code"] == "too_many_requests" and int(a.headers["retry-after"]) > 0 for a in refused)
    assert all(a.headers["content-language"] == "en" for a in refused)
    assert await conn.fetchval("SELECT count(*) FROM registrations") == 10
    # Each request counted once, the refused included (a flood stays out until its window ends).
    assert await conn.fetchval("SELECT sum(hits) FROM rate_limit_counts") == 12


async def test_a_crowd_through_the_lane_fills_the_seats_exactly_and_numbers_the_list_without_gaps(
    client: Client, make_event: MakeEvent, conn: asyncpg.Connection
) -> None:
    await make_event(slug="kk", capacity=50)

    answers = await asyncio.gather(*(client.post(PATH, json=person(n)) for n in range(150)))
    # The same person pressing the button ten times at once: one registration, nine "already registered".
    repeats = await asyncio.gather(*(client.post(PATH, json=person(1000)) for _ in range(10)))

    assert {a.status_code for a in answers} == {201}
    statuses = [a.json()["status"] for a in answers]
    assert (statuses.count("confirmed"), statuses.count("waitlisted")) == (50, 100)
    assert sorted(a.json()["waitlist_position"] for a in answers if a.json()["status"] == "waitlisted") == list(
        range(1, 101)
    )
    assert sorted(r.status_code for r in repeats) == [201] + [409] * 9
    stored = await conn.fetchrow(
        """SELECT count(*) AS registrations, count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
                  (SELECT count(*) FROM event_seats WHERE registration_id IS NOT NULL) AS seats,
                  max(waitlist_no) - count(waitlist_no) AS gaps,
                  (SELECT count(*) FROM jobs WHERE kind IN ('registration.confirmed', 'registration.waitlisted'))
                      AS mails
             FROM registrations"""
    )
    assert dict(stored) == {"registrations": 151, "confirmed": 50, "seats": 50, "gaps": 0, "mails": 151}
