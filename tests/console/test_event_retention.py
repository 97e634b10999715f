"""An organiser sets an event's retention period in the console's event form."""

from __future__ import annotations

import asyncpg

from tests.conftest import Client
from tests.console.conftest import PostForm
from tests.console.test_events import NEW_EVENT
from tests.web.html import Page


async def test_event_form_sets_and_clears_the_retention_period(
    signed_in: Client, post_form: PostForm, conn: asyncpg.Connection
) -> None:
    await post_form("/console/new-event", "/console/new-event", NEW_EVENT)
    page = "/console/events/kk-2027"

    await post_form(page, page, {**NEW_EVENT, "retention_days": "30"})
    kept = await conn.fetchval("SELECT retention_days FROM events WHERE slug = 'kk-2027'")
    refused = await post_form(page, page, {**NEW_EVENT, "retention_days": "0"})
    await post_form(page, page, {**NEW_EVENT, "retention_days": ""})

    assert kept == 30
    assert refused.status_code == 422
    assert Page(refused.text).one("#retention_days").attrs["aria-invalid"] == "true"
    assert await conn.fetchval("SELECT retention_days FROM events WHERE slug = 'kk-2027'") is None
