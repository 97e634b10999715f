"""The data a door keeps to decide scans on its own while the network is down, and that exposes nobody.

For every registration of the event the door gets two values derived from that ticket's code:

- lookup = SHA-256("moteplass-lookup:" + code), to find the entry when the code is scanned;
- sealed = the entry's JSON XOR a keystream of SHA-256(key ‖ salt ‖ block number), key = SHA-256("moteplass-seal:"
  + code), salt fresh for every download.

Codes carry a 128-bit HMAC tag, so neither value can be reversed or guessed: a door learns a name only by
scanning that person's ticket, and the offline list is no list of attendees. A re-issued ticket (new link
version) has a new code, so the old one is simply not in the list. The page (static/checkin/offline.js) does the same
computation with WebCrypto.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime

import asyncpg
import msgspec

from integrations import qr

from ..settings import Settings
from . import queries
from .doors import Scanner
from .schemas import OfflineData, OfflineEntry

LOOKUP = b"moteplass-lookup:"
SEAL = b"moteplass-seal:"


class Sealed(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The sealed part of an entry: name, organisation, workshop group, status, and the admission when the
    list was made."""

    n: str
    o: str = ""
    g: dict[str, str] | None = None
    s: str
    a: datetime | None = None
    d: str | None = None


def lookup(code: str) -> bytes:
    return hashlib.sha256(LOOKUP + code.encode("ascii")).digest()


def keystream(code: str, salt: bytes, length: int) -> bytes:
    key = hashlib.sha256(SEAL + code.encode("ascii")).digest()
    blocks = (length + 31) // 32
    return b"".join(hashlib.sha256(key + salt + block.to_bytes(4, "big")).digest() for block in range(blocks))


def seal(code: str, salt: bytes, plain: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(plain, keystream(code, salt, len(plain)), strict=False))


def unseal(code: str, salt: bytes, sealed: bytes) -> bytes:
    return seal(code, salt, sealed)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


async def offline_data(conn: asyncpg.Connection, scanner: Scanner, *, settings: Settings, now: datetime) -> OfflineData:
    """Every registration of the door's event, sealed by its ticket code (see the module docstring)."""
    keys = settings.verification_keys()  # during a key rotation, tickets signed with an old key are in pockets too
    salt = secrets.token_bytes(16)
    entries = []
    for row in await queries.offline_rows(conn, scanner.event_id):
        plain = msgspec.json.encode(
            Sealed(
                n=row.name or "",
                o=row.organisation or "",
                g=row.group_name,
                s=row.status,
                a=row.admitted_at,
                d=row.admitted_door,
            )
        )
        for key in keys:
            code = qr.sign(key, "ticket", row.id, row.link_version)
            entries.append(OfflineEntry(lookup=_b64(lookup(code)), sealed=_b64(seal(code, salt, plain))))
    return OfflineData(generated_at=now, salt=_b64(salt), entries=entries)
