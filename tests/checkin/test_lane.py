"""The scan's fast lane (service/checkin/lane.py, service/lanes.py): it answers well-formed scans exactly as the
route would, and hands everything else to the route, which answers as it always did; nothing is stored twice."""

from __future__ import annotations

import json
import logging
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from service.app import Moteplass, create_app
from service.checkin.lane import PATH, ScanLane
from service.lanes import Lanes
from service.logs import JsonFormatter
from service.settings import Settings
from tests.checkin.conftest import NewDoor, Register, code_of
from tests.conftest import Client, Clock, MakeEvent, auth


def route_only(settings: Any, clock: Any) -> AsyncTestClient[Any]:
    """A client of the application with its lanes left out: the Litestar route answers every scan (the security
    headers and metrics around it stay)."""
    app = create_app(settings, clock=clock)
    assert isinstance(app, Moteplass)
    app.lanes = Lanes()
    return AsyncTestClient(app=app, base_url="http://testserver.local")


class Recorder:
    """An ASGI app standing in for the route: records what it was handed and answers 418."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def call(lane: ScanLane, body: bytes, token: str, chunk: int = 0) -> tuple[int, dict[bytes, bytes], bytes]:
    """Send one request straight to the lane (in chunks of `chunk` bytes when given); its status, headers, body."""
    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] if chunk else [body]
    messages = [{"type": "http.request", "body": p, "more_body": i < len(pieces) - 1} for i, p in enumerate(pieces)]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": PATH,
        "headers": [(b"authorization", f"Bearer {token}".encode()), (b"content-type", b"application/json")],
    }
    raw_asgi: Any = lane  # handed plain dicts, as a server hands them, not Litestar's typed events
    await raw_asgi(scope, receive, send)
    return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


async def test_the_lane_answers_what_the_route_answers(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, settings: Settings, clock: Clock
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, token = await new_door()
    scan = {"code": code_of(kari), "nonce": "lane-1"}

    by_lane = await client.post(PATH, json=scan, headers={**auth(token), "X-Request-ID": "door-42"})
    async with route_only(settings, clock) as route:
        by_route = await route.post(PATH, json=scan, headers=auth(token))

    assert by_lane.status_code == by_route.status_code == 200
    assert by_lane.json()["result"] == "admitted"
    assert by_lane.json() == by_route.json()  # a repeated nonce: the route answers what the lane answered
    assert by_lane.headers["content-type"] == by_route.headers["content-type"] == "application/json"
    varying = {"date", "content-length", "x-request-id"}
    assert {k: v for k, v in by_lane.headers.items() if k not in varying} == {
        k: v for k, v in by_route.headers.items() if k not in varying
    }
    assert "content-security-policy" in by_lane.headers
    assert by_lane.headers["x-request-id"] == "door-42"
    assert len(by_route.headers["x-request-id"]) == 32


async def test_the_lane_answers_a_scan_itself_and_hands_over_the_rest(
    make_event: MakeEvent, new_door: NewDoor, register: Register, settings: Settings, clock: Clock, pool: asyncpg.Pool
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, token = await new_door()
    recorder = Recorder()
    app = create_app(settings, clock=clock)  # started in this test's own event loop, for its pool
    async with app.lifespan():
        lane = ScanLane(app.state, route=recorder)
        await check_lane(lane, token, code_of(kari), kari["id"], recorder)
    assert await pool.fetchval("SELECT count(*) FROM checkin_scans") == 1  # only the scan the lane answered


async def check_lane(lane: ScanLane, token: str, code: str, registration_id: str, recorder: Recorder) -> None:
    status, headers, body = await call(lane, json.dumps({"code": code, "nonce": "n1"}).encode(), token, 7)
    assert (status, json.loads(body)["result"], recorder.bodies) == (200, "admitted", [])
    assert len(headers[b"x-request-id"]) == 32

    handed = [
        b'{"code": "T1ABC", "nonce": ',  # not JSON
        b'{"nonce": "n2", "code": "x", "registration_id": "' + registration_id.encode() + b'"}',  # both: Invalid
        b'{"nonce": "n3", "code": "x", "colour": "red"}',  # an unknown field
        json.dumps({"code": code, "nonce": "n4"}).encode(),  # with a wrong token: Unauthorized
    ]
    for body in handed[:3]:
        assert (await call(lane, body, token, 5))[0] == 418
    assert (await call(lane, handed[3], "not-a-door-token"))[0] == 418
    assert recorder.bodies == handed  # replayed whole, chunked or not


async def test_errors_handed_over_get_the_routes_problems(
    client: Client, make_event: MakeEvent, new_door: NewDoor, register: Register, settings: Settings
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, token = await new_door()

    as_json = {**auth(token), "content-type": "application/json"}
    malformed = await client.post(PATH, content=b'{"nonce": ', headers=as_json)
    unknown = await client.post(PATH, json={"nonce": "a", "code": code_of(kari), "colour": "red"}, headers=auth(token))
    revoked = await client.post(PATH, json={"nonce": "b", "code": code_of(kari)}, headers=auth("no-such-token"))
    too_large = await client.post(
        PATH, json={"nonce": "c", "code": "x" * settings.max_body_bytes}, headers={**auth(token), "X-Request-ID": "big"}
    )

    assert [r.status_code for r in (malformed, unknown, revoked, too_large)] == [400, 422, 401, 413]
    for answer in (malformed, unknown, revoked, too_large):
        assert answer.headers["content-type"] == "application/problem+json"
    assert unknown.json()["errors"][0]["field"] == "colour"
    assert too_large.headers["x-request-id"] == "big"


class Lines(logging.Handler):
    """The request log lines as the service writes them (JSON, with the request id)."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "request":
            self.lines.append(json.loads(self.format(record)))


async def test_a_scan_is_logged_alike_by_the_lane_and_by_the_route(
    client: Client, new_door: NewDoor, register: Register, make_event: MakeEvent
) -> None:
    await make_event(slug="kk")
    kari = await register("Kari Nordmann", "kari@example.no")
    _, token = await new_door()
    lines = Lines()
    http_log = logging.getLogger("moteplass.http")
    http_log.addHandler(lines)
    level = http_log.level
    http_log.setLevel(logging.INFO)
    try:
        headers = {**auth(token), "content-type": "application/json", "x-request-id": "scan-1"}
        by_lane = await client.post(PATH, content=json.dumps({"code": code_of(kari), "nonce": "n1"}), headers=headers)
        by_route = await client.post(PATH, content=b'{"code": ', headers={**headers, "x-request-id": "scan-2"})
    finally:
        http_log.removeHandler(lines)
        http_log.setLevel(level)

    assert (by_lane.status_code, by_route.status_code) == (200, 400)
    logged = [{k: v for k, v in line.items() if k not in ("time", "ms")} for line in lines.lines]
    same = {"level": "info", "logger": "moteplass.http", "message": "request", "method": "POST", "path": PATH}
    assert logged == [
        {**same, "route": PATH, "status": 200, "request_id": "scan-1"},
        {**same, "route": PATH, "status": 400, "request_id": "scan-2"},
    ]
    assert [token in json.dumps(line) for line in lines.lines] == [False, False]  # no secret in a line
