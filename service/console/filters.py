"""The registrations filter of the console: one builder from query parameters for the table, both exports and
the badges PDF, so the same parameters select the same people everywhere."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from litestar.di import NamedDependency
from litestar.params import QueryParameter

from ..registrations.schemas import ATTENDEE_ROLES, SORT_KEYS, RegistrationFilter


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def chosen_filter(
    q: str, status: str, role: str, sort: str, session: str = "", group: str = "", checked_in: str = ""
) -> RegistrationFilter:
    """The table's filter from query parameters; anything unknown falls back to showing all."""
    return RegistrationFilter(
        q=q.strip()[:200],
        status=status if status in ("confirmed", "waitlisted", "cancelled") else None,  # type: ignore[arg-type]
        role=role if role in ATTENDEE_ROLES else None,
        session=_uuid_or_none(session),
        group=_uuid_or_none(group),
        checked_in={"yes": True, "no": False}.get(checked_in),
        sort=sort if sort in SORT_KEYS else "created",
    )


def filter_query(chosen: RegistrationFilter, **extra: str) -> str:
    values = {
        "q": chosen.q,
        "status": chosen.status or "",
        "role": chosen.role or "",
        "session": str(chosen.session or ""),
        "group": str(chosen.group or ""),
        "checked_in": {True: "yes", False: "no"}.get(chosen.checked_in, ""),  # type: ignore[arg-type]
        "sort": chosen.sort,
        **extra,
    }
    return urlencode({k: v for k, v in values.items() if v})


Text = Annotated[str, QueryParameter(max_length=400)]


def provide_filter(
    q: Text = "",
    status: Text = "",
    role: Text = "",
    session: Text = "",
    group: Text = "",
    sort: Text = "created",
    checked_in: Text = "",
) -> RegistrationFilter:
    """The table's filter from the query string; the table and both exports read the same one."""
    return chosen_filter(q, status, role, sort, session, group, checked_in)


Chosen = NamedDependency[RegistrationFilter]  # a handler's filter, given by `provide_filter`
