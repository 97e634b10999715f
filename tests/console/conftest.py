"""Console fixtures: users with passwords, and clients signed in through the real sign-in form."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

import asyncpg
import httpx
import pytest

from service.accounts.domain import add_user, issue_token
from service.console import queries
from service.console.passwords import hash_password
from tests.conftest import T0, Client

PASSWORD = "riktig hest batteri stift"
HTML = {"accept": "text/html"}
# post_form(page, action, data): the answer to the form sent with the CSRF token of its page.
PostForm = Callable[[str, str, dict[str, Any]], Awaitable[httpx.Response]]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


@cache
def hashed(password: str) -> str:
    """argon2 is slow on purpose: hash each test password once per test session."""
    return hash_password(password)


async def add_console_user(
    conn: asyncpg.Connection, email: str, role: str, *, password: str = PASSWORD, name: str = ""
) -> Any:
    user = await add_user(conn, email=email, role=role, name=name)
    await queries.set_password(conn, user.user_id, hashed(password), T0)
    return user


async def sign_in(client: Client, email: str, password: str = PASSWORD) -> httpx.Response:
    """Open the sign-in form and send it, as a browser would; returns the answer (303 when it worked)."""
    form = await client.get("/console/sign-in", headers=HTML)
    return await client.post(
        "/console/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text), "next": "/console"},
        headers=HTML,
        follow_redirects=False,
    )


async def form_token(client: Client, path: str) -> str:
    page = await client.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


@pytest.fixture
async def organiser(conn: asyncpg.Connection) -> Any:
    return await add_console_user(conn, "kari@bergen.kommune.no", "organiser", name="Kari Organiser")


@pytest.fixture
async def organiser_token(conn: asyncpg.Connection, organiser: Any) -> str:
    """The same organiser's bearer token (overrides the shared fixture, so make_event creates their events)."""
    return await issue_token(conn, organiser.user_id)


@pytest.fixture
async def signed_in(client: Client, organiser: Any) -> Client:
    response = await sign_in(client, organiser.email)
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def post_form(client: Client) -> PostForm:
    """POST a console form with the CSRF token of the page it is on."""

    async def post(page: str, action: str, data: dict[str, Any]) -> httpx.Response:
        token = await form_token(client, page)
        return await client.post(action, data={**data, "csrf_token": token}, headers=HTML, follow_redirects=False)

    return post
