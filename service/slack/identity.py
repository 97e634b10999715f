"""Which Møteplass organiser a Slack user is: a linked account, or the user with the e-mail address on their
Slack profile (looked up once with users.info, then linked). Anyone else, and a deactivated user, is not an
organiser here."""

from __future__ import annotations

import asyncpg

from integrations.slack import SlackApi

from ..accounts.schemas import Principal

ORGANISER_ROLES = ("organiser", "admin")

LINKED = """
SELECT u.id, u.email, u.role, u.language FROM slack_user_links l JOIN users u ON u.id = l.user_id
 WHERE l.team_id = $1 AND l.slack_user_id = $2 AND u.disabled_at IS NULL
"""
BY_EMAIL = "SELECT id, email, role, language FROM users WHERE email = $1 AND disabled_at IS NULL"
LINK = """
INSERT INTO slack_user_links (team_id, slack_user_id, user_id) VALUES ($1, $2, $3)
ON CONFLICT (team_id, slack_user_id) DO UPDATE SET user_id = EXCLUDED.user_id, linked_at = now()
"""


def _principal(row: asyncpg.Record) -> Principal | None:
    if row["role"] not in ORGANISER_ROLES:
        return None
    return Principal(user_id=row["id"], email=row["email"], role=row["role"], language=row["language"])


async def linked_organiser(conn: asyncpg.Connection, team_id: str, slack_user_id: str) -> Principal | None:
    """The organiser linked to this Slack user, without asking Slack (for the 3-second answers)."""
    row = await conn.fetchrow(LINKED, team_id, slack_user_id)
    return _principal(row) if row else None


async def organiser_for(
    conn: asyncpg.Connection, slack: SlackApi, team_id: str, slack_user_id: str
) -> Principal | None:
    """The organiser this Slack user is, linking them on first sight by e-mail; None if they are not one."""
    found = await linked_organiser(conn, team_id, slack_user_id)
    if found is not None:
        return found
    email = await slack.user_email(slack_user_id)
    if not email:
        return None
    row = await conn.fetchrow(BY_EMAIL, email)
    if row is None or row["role"] not in ORGANISER_ROLES:
        return None
    await conn.execute(LINK, team_id, slack_user_id, row["id"])
    return _principal(row)
