"""Which Møteplass organiser a Slack user is: a linked account, or the user with the e-mail address on their
Slack profile (looked up once with users.info, then linked). Anyone else, and a deactivated user, is not an
organiser here."""

from __future__ import annotations

import asyncpg

from integrations.slack import SlackApi

from ..accounts.schemas import Principal
from . import queries
from .schemas import SlackUser

ORGANISER_ROLES = ("organiser", "admin")


def _principal(user: SlackUser) -> Principal | None:
    if user.role not in ORGANISER_ROLES:
        return None
    return Principal(user_id=user.id, email=user.email, role=user.role, language=user.language)


async def linked_organiser(conn: asyncpg.Connection, team_id: str, slack_user_id: str) -> Principal | None:
    """The organiser linked to this Slack user, without asking Slack (for the 3-second answers)."""
    user = await queries.linked_user(conn, team_id, slack_user_id)
    return _principal(user) if user else None


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
    user = await queries.user_by_email(conn, email)
    if user is None or user.role not in ORGANISER_ROLES:
        return None
    await queries.link_user(conn, team_id, slack_user_id, user.id)
    return _principal(user)
