"""Ticket QR images: rendered once per ticket (about 5 ms of CPU each) and kept in the database."""

from __future__ import annotations

import asyncio

import asyncpg

from integrations import qr

from ..settings import Settings
from . import links, queries
from .schemas import Registration


async def ticket_images(conn: asyncpg.Connection, settings: Settings, registration: Registration) -> tuple[bytes, str]:
    """(PNG, SVG) of the registration's ticket, rendering and storing them the first time."""
    stored = await queries.ticket_images(conn, registration.id, registration.link_version)
    if stored is not None:
        return stored.png, stored.svg
    code = links.ticket_code(settings, registration)
    png, svg = await asyncio.to_thread(lambda: (qr.render_png(code), qr.render_svg(code)))
    await queries.store_ticket_images(conn, registration.id, registration.link_version, png, svg)
    return png, svg
