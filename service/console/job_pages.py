"""The administrator's view of the job queue: what waits, what retries, what is dead, and "try again"."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from .. import audit, jobs
from ..http import Caller, Conn
from . import users
from .guard import console_page


class JobPages(Controller):
    path = "/console/jobs"
    include_in_schema = False

    @get("/")
    async def show(self, request: Request[Any, Any, Any], conn: Conn, principal: Caller) -> Template:
        users.require_admin(principal)
        return console_page(
            request,
            "console/jobs.html",
            principal,
            section="jobs",
            kinds=await jobs.status_by_kind(conn),
            dead=await jobs.dead_jobs(conn),
            notice=request.query_params.get("requeued"),
        )

    @post("/requeue", status_code=303)
    async def requeue(self, request: Request[Any, Any, Any], conn: Conn, principal: Caller) -> Response[Any]:
        users.require_admin(principal)
        form = await request.form()
        raw_id = str(form.get("id", "")).strip()
        job_id = int(raw_id) if raw_id.isdigit() else None
        async with conn.transaction():
            count = await jobs.requeue(conn, dead=True, job_id=job_id)
            await audit.record(
                conn, "jobs.requeued", actor=principal.actor, event_id=None, data={"job_id": job_id, "count": count}
            )
        return Redirect(f"/console/jobs?requeued={count}", status_code=303)
