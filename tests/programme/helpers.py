"""Building a programme through the API, and reading the invites the local SMTP server received."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from tests.conftest import auth


def session_body(title: str, start: str, end: str, **overrides: Any) -> dict[str, Any]:
    """A session on the test event's day (2027-06-10, Europe/Oslo); times as HH:MM."""
    body: dict[str, Any] = {
        "kind": "parallel",
        "title": {"nb": title},
        "starts_at": f"2027-06-10T{start}:00+02:00",
        "ends_at": f"2027-06-10T{end}:00+02:00",
        "room": "Rom 1",
    }
    body.update(overrides)
    return body


async def add_session(client: Any, token: str, slug: str = "kk", **body: Any) -> dict[str, Any]:
    response = await client.post(f"/api/v1/events/{slug}/sessions", json=body, headers=auth(token))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def attendee(n: int | str, **overrides: Any) -> dict[str, Any]:
    return {"name": f"Deltaker {n}", "email": f"p{n}@example.no", "accept_privacy": True, **overrides}


def manage_headers(created: dict[str, Any]) -> dict[str, str]:
    return auth(created["manage_url"].rsplit("/", 1)[1])


def calendar_part(mail: EmailMessage) -> tuple[str, bytes]:
    """(method parameter of the text/calendar alternative, its content)."""
    for part in mail.walk():
        if part.get_content_type() == "text/calendar" and part.get_filename() is None:
            method, content = part.get_param("method"), part.get_payload(decode=True)
            assert isinstance(method, str)
            assert isinstance(content, bytes)
            return method, content
    raise AssertionError("no text/calendar part")
