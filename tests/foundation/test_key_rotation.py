"""SECRET_KEYS=new,old: codes are signed with the new key, and everything signed with the old one keeps working
(tickets at the door, manage links, door pairing, console forms and password links); an unknown key is refused."""

from __future__ import annotations

import base64
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from integrations import qr
from service.checkin.offline import lookup
from service.console import passwords, sessions
from service.settings import Secret, Settings
from tests.conftest import SECRET, Client, MakeEvent, auth
from tests.smtp import SmtpServer

NEW = "new-key-after-the-rotation-0123456789abcdef"
UNKNOWN = b"a-key-nobody-ever-configured-0123456789"
KARI = {"name": "Kari Nordmann", "email": "kari@example.no", "accept_privacy": True}


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    """The settings after rotating SECRET (the old key every other test signs with) to NEW."""
    return Settings(
        database_url=database_url,
        secret_key=Secret(NEW),
        old_secret_keys=(Secret(SECRET),),
        smtp_url=smtp.url,
        base_url="http://testserver.local",
    )


async def door_token(client: AsyncTestClient[Any], organiser_token: str, pairing_key: bytes | None = None) -> str:
    door = (
        await client.post("/api/v1/events/kk/doors", json={"name": "Inngang"}, headers=auth(organiser_token))
    ).json()
    code = door["pairing_url"].split("#pair=")[1]
    if pairing_key is not None:
        code = qr.sign(pairing_key, "door", UUID(door["id"]), 1)
    paired = await client.post("/api/v1/doors/pair", json={"code": code})
    assert paired.status_code == 200, paired.text
    token: str = paired.json()["token"]
    return token


async def test_ticket_signed_with_the_old_key_is_admitted_after_rotation(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    kari = (await client.post("/api/v1/events/kk/registrations", json=KARI)).json()
    token = await door_token(client, organiser_token)
    old_ticket = qr.sign(SECRET.encode(), "ticket", UUID(kari["id"]), 1)

    scan = await client.post("/api/v1/checkins", json={"code": old_ticket, "nonce": "n1"}, headers=auth(token))

    assert (scan.status_code, scan.json()["result"]) == (200, "admitted")


async def test_ticket_signed_with_an_unknown_key_is_invalid(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    kari = (await client.post("/api/v1/events/kk/registrations", json=KARI)).json()
    token = await door_token(client, organiser_token)
    stranger = qr.sign(UNKNOWN, "ticket", UUID(kari["id"]), 1)

    scan = await client.post("/api/v1/checkins", json={"code": stranger, "nonce": "n1"}, headers=auth(token))

    assert (scan.status_code, scan.json()["result"], scan.json()["attendee"]) == (200, "invalid", None)


async def test_new_codes_are_signed_with_the_first_key(client: Client, make_event: MakeEvent) -> None:
    await make_event(slug="kk")

    kari = (await client.post("/api/v1/events/kk/registrations", json=KARI)).json()

    ticket = kari["ticket_url"].rsplit("/", 1)[1]
    ident = UUID(kari["id"])
    assert (
        qr.check((NEW.encode(),), "ticket", ident, 1, ticket),
        qr.check((SECRET.encode(),), "ticket", ident, 1, ticket),
    ) == (
        True,
        False,
    )


async def test_manage_link_signed_with_the_old_key_works_and_an_unknown_key_is_refused(
    client: Client, make_event: MakeEvent
) -> None:
    await make_event(slug="kk")
    kari = (await client.post("/api/v1/events/kk/registrations", json=KARI)).json()
    old_link = qr.sign(SECRET.encode(), "manage", UUID(kari["id"]), 1)
    stranger = qr.sign(UNKNOWN, "manage", UUID(kari["id"]), 1)

    viewed = await client.get("/api/v1/registrations/self", headers=auth(old_link))
    refused = await client.get("/api/v1/registrations/self", headers=auth(stranger))

    assert (viewed.status_code, viewed.json()["email"]) == (200, "kari@example.no")
    assert (refused.status_code, refused.json()["code"]) == (404, "registration_not_found")


async def test_door_pairing_code_signed_with_the_old_key_pairs(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")

    token = await door_token(client, organiser_token, pairing_key=SECRET.encode())

    assert token.startswith("mp_")


async def test_offline_data_finds_tickets_signed_with_either_key(
    client: Client, make_event: MakeEvent, organiser_token: str
) -> None:
    await make_event(slug="kk")
    kari = (await client.post("/api/v1/events/kk/registrations", json=KARI)).json()
    token = await door_token(client, organiser_token)
    codes = {key: qr.sign(key, "ticket", UUID(kari["id"]), 1) for key in (NEW.encode(), SECRET.encode(), UNKNOWN)}

    offline = (await client.get("/api/v1/door/offline", headers=auth(token))).json()

    lookups = {lookup_value for lookup_value, _sealed in offline["entries"]}
    assert {key: base64.b64encode(lookup(code)).decode() in lookups for key, code in codes.items()} == {
        NEW.encode(): True,
        SECRET.encode(): True,
        UNKNOWN: False,
    }


def test_console_forms_and_password_links_signed_with_the_old_key_pass() -> None:
    keys = (NEW.encode(), SECRET.encode())
    link_id = UUID("12345678-1234-5678-1234-567812345678")

    assert (
        sessions.csrf_ok(keys, "cookie", sessions.csrf_token(SECRET.encode(), "cookie")),
        sessions.csrf_ok(keys, "cookie", sessions.csrf_token(UNKNOWN, "cookie")),
        passwords.parse_link_code(keys, passwords.link_code(SECRET.encode(), link_id)),
        passwords.parse_link_code(keys, passwords.link_code(UNKNOWN, link_id)),
    ) == (True, False, link_id, None)
