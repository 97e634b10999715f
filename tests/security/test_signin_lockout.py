"""Sign-in lockout per account and client address: a stranger's wrong passwords lock only the stranger out;
argon2 runs while no pooled connection is held; a password reset with a bad link never reaches argon2."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from service.console import passwords
from tests.conftest import SECRET, T0, Client, Clock
from tests.console.conftest import HTML, PASSWORD, add_console_user, csrf_of
from tests.security.clients import Connect, connect

_ = connect  # a fixture: reaching the app from chosen client addresses


async def sign_in(client: httpx.AsyncClient | Any, email: str, password: str) -> httpx.Response:
    client.cookies.clear()
    form = await client.get("/console/sign-in", headers=HTML)
    return await client.post(
        "/console/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text), "next": "/console"},
        headers=HTML,
        follow_redirects=False,
    )


@pytest.fixture
async def admin(conn: Any) -> Any:
    return await add_console_user(conn, "admin@bergen.kommune.no", "admin")


async def test_failures_from_another_address_do_not_lock_the_admin_out(admin: Any, connect: Connect) -> None:
    stranger = await connect("203.0.113.66")
    office = await connect("192.0.2.10")

    guesses = [(await sign_in(stranger, admin.email, f"gjetning {n}")).status_code for n in range(6)]
    admin_answer = await sign_in(office, admin.email, PASSWORD)

    assert guesses == [401] * 5 + [403]
    assert (admin_answer.status_code, admin_answer.headers["location"]) == (303, "/console")


async def test_failures_lock_their_own_address_out_even_with_the_right_password(
    admin: Any, connect: Connect, clock: Clock
) -> None:
    stranger = await connect("203.0.113.66")
    for n in range(5):
        await sign_in(stranger, admin.email, f"gjetning {n}")

    locked = await sign_in(stranger, admin.email, PASSWORD)
    clock.advance(minutes=15, seconds=1)
    later = await sign_in(stranger, admin.email, PASSWORD)

    assert locked.status_code == 403
    assert later.status_code == 303


async def test_failures_are_stored_per_account_and_address(
    admin: Any, connect: Connect, conn: asyncpg.Connection
) -> None:
    for address in ("203.0.113.66", "203.0.113.67"):
        await sign_in(await connect(address), admin.email, "gjetning")

    rows = await conn.fetch("SELECT email, client FROM console_sign_in_failures ORDER BY client")

    assert [tuple(row) for row in rows] == [
        ("admin@bergen.kommune.no", "203.0.113.66"),
        ("admin@bergen.kommune.no", "203.0.113.67"),
    ]


async def test_sign_in_verifies_the_password_holding_no_pooled_connection(
    admin: Any, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = client.app.state.pool
    held_while_verifying: list[int] = []
    verify = passwords.verify

    def watched_verify(hashed: str, password: str) -> bool:
        held_while_verifying.append(pool.get_size() - pool.get_idle_size())
        return verify(hashed, password)

    monkeypatch.setattr(passwords, "verify", watched_verify)

    wrong = await sign_in(client, admin.email, "gjetning")
    right = await sign_in(client, admin.email, PASSWORD)

    assert (wrong.status_code, right.status_code) == (401, 303)
    assert held_while_verifying == [0, 0]


@pytest.fixture
async def reset_link(conn: Any, admin: Any) -> str:
    link_id = await passwords.create_link(conn, admin.user_id, "reset", actor="test", now=T0)
    return passwords.link_code(SECRET.encode(), link_id)


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The passwords argon2 was asked to hash (the real hash is still made)."""
    hashed: list[str] = []
    real = passwords.hash_password

    def counted(password: str) -> str:
        hashed.append(password)
        return real(password)

    monkeypatch.setattr(passwords, "hash_password", counted)
    return hashed


async def set_password(client: Client, form_code: str, code: str) -> httpx.Response:
    client.cookies.clear()
    form = await client.get(f"/console/password/{form_code}", headers=HTML)
    new = "et nytt og langt passord"
    return await client.post(
        f"/console/password/{code}",
        data={"password": new, "password_again": new, "csrf_token": csrf_of(form.text)},
        headers=HTML,
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    "bad_code",
    [
        "0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAA",  # forged: the tag does not match
        "nonsense",
    ],
)
async def test_reset_with_a_bad_link_never_hashes(
    client: Client, reset_link: str, hashes: list[str], bad_code: str
) -> None:
    response = await set_password(client, reset_link, bad_code)

    assert response.status_code == 404
    assert hashes == []


async def test_reset_with_a_used_link_never_hashes(client: Client, reset_link: str, hashes: list[str]) -> None:
    first = await set_password(client, reset_link, reset_link)

    again = await set_password(client, "forgot", reset_link)

    assert (first.status_code, again.status_code) == (303, 404)
    assert hashes == ["et nytt og langt passord"]


async def test_reset_with_an_expired_link_never_hashes(
    client: Client, reset_link: str, hashes: list[str], clock: Clock
) -> None:
    clock.advance(hours=1, seconds=1)

    response = await set_password(client, "forgot", reset_link)

    assert response.status_code == 404
    assert hashes == []
