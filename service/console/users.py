"""Console users: admins invite organisers, jurors and other admins by e-mail, see who has access, and
deactivate users (the command line can too)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from .. import audit
from ..accounts import queries as accounts
from ..accounts.schemas import Principal
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..events import queries as events
from . import passwords, queries
from .schemas import ConsoleUser, InviteIn

LIST_USERS = """
SELECT u.id, u.email, u.name, u.role, u.language, u.disabled_at,
       EXISTS (SELECT 1 FROM console_passwords p WHERE p.user_id = u.id) AS has_password,
       (SELECT max(l.created_at) FROM console_password_links l WHERE l.user_id = u.id AND l.purpose = 'invite')
           AS invited_at,
       coalesce((SELECT array_agg(e.slug ORDER BY e.slug) FROM user_event_scopes s JOIN events e ON e.id = s.event_id
                  WHERE s.user_id = u.id), '{}') AS events
  FROM users u
 WHERE u.role <> 'door'
 ORDER BY u.role, u.email
"""
HAS_PASSWORD = "SELECT EXISTS (SELECT 1 FROM console_passwords WHERE user_id = $1)"


def require_admin(actor: Principal) -> None:
    if actor.role != "admin":
        raise Forbidden("forbidden", "only an administrator may do this")


async def list_users(conn: asyncpg.Connection, *, actor: Principal) -> list[ConsoleUser]:
    """Everyone who may use the console (door devices are paired elsewhere). Raises Forbidden."""
    require_admin(actor)
    return [ConsoleUser(**dict(row)) for row in await conn.fetch(LIST_USERS)]


async def invite_user(conn: asyncpg.Connection, data: InviteIn, *, actor: Principal, now: datetime) -> ConsoleUser:
    """Create the user (or take one who has never set a password), scope them to the events chosen and mail
    a link to set a password. Raises Forbidden, Invalid (unknown event), Conflict (user_exists)."""
    require_admin(actor)
    email = passwords.normalise_email(data.email)
    async with conn.transaction():
        existing = await accounts.user_by_email(conn, email)
        if existing is None:
            user_id = await accounts.insert_user(conn, email, data.name.strip(), data.role, data.language)
            if user_id is None:
                raise Conflict("user_exists", f"{email} already has an account", field="email")
        elif await conn.fetchval(HAS_PASSWORD, existing["id"]):
            raise Conflict("user_exists", f"{email} already has an account", field="email")
        else:
            user_id = existing["id"]
            await conn.execute(
                "UPDATE users SET role = $2, name = coalesce(nullif($3, ''), name), language = $4 WHERE id = $1",
                user_id,
                data.role,
                data.name.strip(),
                data.language,
            )
        for event_id in data.events:
            if await events.event_by_id(conn, event_id) is None:
                raise Invalid("event_not_found", "no such event", field="events")
            await accounts.grant_event_scope(conn, user_id, event_id)
            await audit.record(
                conn, "user.granted", actor=actor.actor, event_id=event_id, data={"email": email, "role": data.role}
            )
        await passwords.create_link(conn, user_id, "invite", actor=actor.actor, now=now)
        await audit.record(
            conn, "user.invited", actor=actor.actor, event_id=None, data={"email": email, "role": data.role}
        )
    return await console_user(conn, user_id, actor=actor)


async def disable_user(conn: asyncpg.Connection, email: str, *, actor: str, now: datetime) -> bool:
    """Deactivate a user: their bearer tokens are revoked, console sessions end, password links are used up,
    and they can no longer sign in or use Slack commands; audited. Raises NotFound (user_not_found).
    Idempotent: False when the user was deactivated before."""
    email = passwords.normalise_email(email)
    async with conn.transaction():
        row = await accounts.user_by_email(conn, email)
        if row is None:
            raise NotFound("user_not_found", f"no user {email!r}")
        if not await accounts.disable_user(conn, row["id"], now):
            return False
        await accounts.revoke_tokens_of(conn, row["id"], now)
        await queries.delete_sessions_of(conn, row["id"])
        await queries.use_links_of(conn, row["id"], now)
        await audit.record(
            conn, "user.disabled", actor=actor, event_id=None, data={"email": email, "role": row["role"]}
        )
    return True


async def console_user(conn: asyncpg.Connection, user_id: UUID, *, actor: Principal) -> ConsoleUser:
    """One user of the console list. Raises Forbidden, NotFound (user_not_found)."""
    found = next((u for u in await list_users(conn, actor=actor) if u.id == user_id), None)
    if found is None:
        raise NotFound("user_not_found", "no such user")
    return found
