"""The `moteplass` command: run, serve, worker, migrate, demo, user, jobs, backup, restore, db."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import msgspec

from . import db, jobs, logs
from .accounts.domain import add_user, token_expiry
from .accounts.queries import grant_event_scope
from .console.passwords import set_password_of
from .console.users import disable_user
from .errors import DomainError
from .events.queries import event_by_slug
from .migrate import migrate
from .process import freeze_startup_objects
from .settings import ConfigError, Settings, from_env, production_from_env

EX_CONFIG = 78  # sysexits.h: a configuration error (systemd and supervisors do not restart-loop on it)


def _resolve_database(settings: Settings) -> str:
    if settings.database_url:
        if asyncio.run(db.ensure_database(settings.database_url)):
            print("Created the database named in DATABASE_URL", file=sys.stderr)
        return settings.database_url
    url = db.embedded_database_url(settings.data_dir)
    print(f"Using the embedded PostgreSQL under {settings.data_dir.name}/pg", file=sys.stderr)
    return url


def _dev_secret(data_dir: Path) -> str:
    """A per-checkout secret for development, kept under .data/ so restarts keep links valid."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


async def _migrate(url: str) -> list[str]:
    conn = await db.connect(url)
    try:
        return await migrate(conn)
    finally:
        await conn.close()


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    applied = asyncio.run(_migrate(_resolve_database(settings)))
    print("applied: " + (", ".join(applied) if applied else "nothing (up to date)"))
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from .worker import run_worker  # noqa: PLC0415 - start-up cost: it loads every domain (over a second)

    url = _resolve_database(settings)
    if settings.worker_nice > 0:
        os.nice(settings.worker_nice)
    freeze_startup_objects()
    asyncio.run(run_worker(msgspec.structs.replace(settings, database_url=url)))
    return 0


def _fields(settings: Settings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in settings.__struct_fields__}


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from .demo import load_demo  # noqa: PLC0415 - start-up cost: only `demo` and `run --demo` need it

    url = _resolve_database(settings)
    asyncio.run(_migrate(url))
    token = asyncio.run(load_demo(url, reset=args.reset))
    if token:
        print(token)
    return 0


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    url = _resolve_database(settings)

    async def go() -> str:
        expires_at = token_expiry(args.expires, now=datetime.now(UTC)) if args.expires else None
        conn = await db.connect(url)
        event = None
        try:
            if args.event:
                event = await event_by_slug(conn, args.event)
                if event is None:
                    raise SystemExit(f"no event {args.event!r}")
            user = await add_user(
                conn,
                email=args.email,
                role=args.role,
                name=args.name or "",
                language=args.language,
                expires_at=expires_at,
            )
            if args.event and event is not None:
                await grant_event_scope(conn, user.user_id, event.id)
            return user.token
        finally:
            await conn.close()

    try:
        token = asyncio.run(go())
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(f"User {args.email} ({args.role}) created. Bearer token (shown once):")
    print(token)
    return 0


def cmd_user_password(args: argparse.Namespace, settings: Settings) -> int:
    """Set a console password, read from standard input (so it stays out of the shell history)."""
    url = _resolve_database(settings)
    password = sys.stdin.readline().rstrip("\n")

    async def go() -> None:
        conn = await db.connect(url)
        try:
            await set_password_of(conn, args.email, password, now=datetime.now(UTC))
        finally:
            await conn.close()

    try:
        asyncio.run(go())
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(f"{args.email} can sign in to the console at /console")
    return 0


def cmd_user_disable(args: argparse.Namespace, settings: Settings) -> int:
    """Deactivate a user: tokens revoked, console sessions ended, no more sign-in or Slack commands."""
    url = _resolve_database(settings)

    async def go() -> bool:
        conn = await db.connect(url)
        try:
            return await disable_user(conn, args.email, actor="cli", now=datetime.now(UTC))
        finally:
            await conn.close()

    try:
        changed = asyncio.run(go())
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(f"{args.email} is deactivated" + ("" if changed else " (it was already)"))
    return 0


def cmd_jobs(args: argparse.Namespace, settings: Settings) -> int:
    url = _resolve_database(settings)

    async def go() -> None:
        conn = await db.connect(url)
        try:
            rows = await conn.fetch(
                """SELECT kind, count(*) FILTER (WHERE done_at IS NULL AND dead_at IS NULL) AS pending,
                          count(*) FILTER (WHERE done_at IS NOT NULL) AS done,
                          count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
                     FROM jobs GROUP BY kind ORDER BY kind"""
            )
            for row in rows:
                print(f"{row['kind']:<32} pending {row['pending']:>6}  done {row['done']:>6}  dead {row['dead']:>6}")
            for row in await conn.fetch(
                "SELECT id, kind, attempts, last_error FROM jobs WHERE dead_at IS NOT NULL ORDER BY id DESC LIMIT 20"
            ):
                print(f"dead #{row['id']} {row['kind']} after {row['attempts']} attempts: {row['last_error']}")
        finally:
            await conn.close()

    asyncio.run(go())
    return 0


EX_CONFIG = 78  # sysexits.h: a configuration error


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and an environment carrying it (so it is not on a command line)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is None:
        return url, env
    env["PGPASSWORD"] = unquote(parts.password)
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username
    return urlunsplit((parts.scheme, f"{user}@{netloc}" if user else netloc, parts.path, parts.query, "")), env


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """pg_dump of DATABASE_URL in the custom format (compressed; pg_restore reads it) to a file or stdout."""
    if not settings.database_url:
        print("moteplass backup: DATABASE_URL is not set", file=sys.stderr)
        return EX_CONFIG
    url, env = _libpq(settings.database_url)
    target = [] if args.path == "-" else ["--file", args.path]
    return subprocess.call(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *target, url], env=env)


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    """pg_restore of a `moteplass backup` file (or stdin) into DATABASE_URL, created when it does not exist.

    Restores into an empty database only (a fresh one, or an existing one with --clean): restoring over a running
    service's tables would mix two states."""
    if not settings.database_url:
        print("moteplass restore: DATABASE_URL is not set", file=sys.stderr)
        return EX_CONFIG
    asyncio.run(db.ensure_database(settings.database_url))
    if not args.clean and asyncio.run(_has_tables(settings.database_url)):
        print("moteplass restore: the database is not empty (restore into a new one, or pass --clean)", file=sys.stderr)
        return 2
    url, env = _libpq(settings.database_url)
    source = [] if args.path == "-" else [args.path]
    clean = ["--clean", "--if-exists"] if args.clean else []
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *clean]
    return subprocess.call([*command, "--dbname", url, *source], env=env)


async def _has_tables(url: str) -> bool:
    conn = await db.connect(url)
    try:
        return bool(await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
    finally:
        await conn.close()


def cmd_jobs_requeue(args: argparse.Namespace, settings: Settings) -> int:
    """Dead jobs (--dead) back in the queue with a fresh retry window, or waiting jobs made ready now."""
    url = _resolve_database(settings)

    async def go() -> int:
        conn = await db.connect(url)
        try:
            return await jobs.requeue(conn, kind=args.kind, dead=args.dead, job_id=args.id)
        finally:
            await conn.close()

    count = asyncio.run(go())
    what = "dead jobs" if args.dead else "waiting jobs"
    print(f"requeued {count} {what}" + (f" of kind {args.kind}" if args.kind else ""))
    return 0


def cmd_db_stop(args: argparse.Namespace, settings: Settings) -> int:
    stopped = db.stop_embedded(settings.data_dir)
    print("stopped the embedded PostgreSQL" if stopped else "the embedded PostgreSQL was not running")
    return 0


def server_command(host: str, port: int, workers: int = 1) -> list[str]:
    """The granian command line that serves the app (also used by tests and benchmarks)."""
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--factory",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--no-access-log",
        "--workers-kill-timeout",
        "30",
        "--http1-header-read-timeout",
        "10000",
        "--log-level",
        "warning",
        "service.asgi:create",
    ]


def _metrics_directory(env: dict[str, str], parent: str | None = None) -> str | None:
    """Set PROMETHEUS_MULTIPROC_DIR (service/metrics.py) to a new directory unless the environment names one;
    returns the directory to remove at exit, if it made one."""
    if env.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="moteplass-metrics-", dir=parent)
    return env["PROMETHEUS_MULTIPROC_DIR"]


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """granian with the app; on SIGTERM or SIGINT it drains: /readyz answers 503 at once (so a proxy or
    orchestrator stops sending new requests), after SHUTDOWN_DRAIN_SECONDS granian stops accepting and finishes
    the requests in flight (its workers are killed if they take longer than 30 s)."""
    with tempfile.TemporaryDirectory(prefix="moteplass-serve-") as scratch:
        drain_file = Path(scratch) / "draining"
        env = {**os.environ, "DATABASE_URL": _resolve_database(settings), "MOTEPLASS_DRAIN_FILE": str(drain_file)}
        _metrics_directory(env, parent=scratch)  # removed with the scratch directory
        command = server_command(
            args.host or settings.host, args.port or settings.port, args.workers or settings.web_workers
        )
        server = subprocess.Popen(command, env=env)

        def drain(signum: int, _frame: object) -> None:
            drain_file.touch()
            signal.signal(signum, signal.SIG_IGN)
            time.sleep(settings.shutdown_drain_seconds)
            server.send_signal(signal.SIGTERM)

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, drain)
        return server.wait()


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Everything for development: database, migrations, demo data, a mail sink, the worker and the server."""
    host = args.host or settings.host
    port = args.port or settings.port
    env = dict(os.environ)
    env["DATABASE_URL"] = _resolve_database(settings)
    if not (env.get("SECRET_KEY") or env.get("SECRET_KEYS")):
        env["SECRET_KEY"] = _dev_secret(settings.data_dir)
    if not env.get("BASE_URL"):
        env["BASE_URL"] = f"http://{host}:{port}"
    children: list[subprocess.Popen[bytes]] = []
    made = _metrics_directory(env)  # shared by the web workers and the job worker: /metrics shows the mails too
    if not settings.smtp_url:
        mail_dir = settings.data_dir / "mail"
        env["SMTP_URL"] = "smtp://127.0.0.1:8025"
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "service.mailsink", "--port", "8025", "--dir", str(mail_dir)], env=env
            )
        )
        print(
            f"No SMTP_URL: mail goes to a local sink and is saved under {settings.data_dir.name}/mail/", file=sys.stderr
        )
    applied = asyncio.run(_migrate(env["DATABASE_URL"]))
    if applied:
        print("migrations applied: " + ", ".join(applied), file=sys.stderr)
    token: str | None = None
    password: str | None = None
    if args.demo:
        from .demo import ORGANISER_EMAIL, demo_console_password, load_demo  # noqa: PLC0415 - start-up cost

        token = asyncio.run(load_demo(env["DATABASE_URL"], reset=False))
        secret = (settings.secret_key or env["SECRET_KEY"]).encode()
        password = asyncio.run(demo_console_password(env["DATABASE_URL"], secret))
    children.append(subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], env=env))
    server = subprocess.Popen(server_command(host, port, args.workers or settings.web_workers), env=env)
    children.append(server)
    # Said once the server answers, after its start-up lines, so a newcomer finds the token as the last line.
    _wait_for_health(f"http://{host}:{port}/healthz", server)
    print(f"Møteplass is at http://{host}:{port}", file=sys.stderr)
    if password:
        print(f"Console: http://{host}:{port}/console as {ORGANISER_EMAIL}, password {password}", file=sys.stderr)
    if token:
        print(f"Demo organiser token (API bearer): {token}", file=sys.stderr)

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        code = server.wait()
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        if made:
            shutil.rmtree(made, ignore_errors=True)
    return code


def _wait_for_health(url: str, server: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    """Return when `url` answers 200, the server has exited, or `seconds` have passed."""

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own loopback server
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="moteplass", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="database, migrations, worker and web server for development")
    run.add_argument("--demo", action="store_true", help="load the demo data first")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument("--workers", type=int, help="web worker processes")
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser("serve", help="only the web server (production: several workers)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.set_defaults(func=cmd_serve, production=True)

    sub.add_parser("worker", help="run the job worker").set_defaults(func=cmd_worker, production=True)
    sub.add_parser("migrate", help="apply pending migrations").set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="load the demo data; prints an organiser token")
    demo.add_argument("--reset", action="store_true")
    demo.set_defaults(func=cmd_demo)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="create a user; the last line printed is their bearer token")
    add.add_argument("--email", required=True)
    add.add_argument("--role", required=True, choices=["admin", "organiser", "jury", "door"])
    add.add_argument("--name")
    add.add_argument("--language", default="nb", choices=["nb", "nn", "en"])
    add.add_argument("--event", help="scope the user to this event (slug)")
    add.add_argument("--expires", help="when the token stops working: days (30d) or a date (2027-12-31); default 365d")
    add.set_defaults(func=cmd_user_add)
    disable = user.add_parser("disable", help="deactivate a user: tokens revoked, sessions ended, no sign-in")
    disable.add_argument("--email", required=True)
    disable.set_defaults(func=cmd_user_disable)
    password = user.add_parser("password", help="set a console password, read from standard input")
    password.add_argument("--email", required=True)
    password.set_defaults(func=cmd_user_password)

    jobs_parser = sub.add_parser("jobs", help="job queue status and dead jobs")
    jobs_parser.set_defaults(func=cmd_jobs)
    jobs_sub = jobs_parser.add_subparsers(dest="jobs_command")
    requeue = jobs_sub.add_parser("requeue", help="run waiting jobs now, or (--dead) try dead jobs again")
    requeue.add_argument("--kind", help="only jobs of this kind, e.g. registration.confirmed")
    requeue.add_argument("--dead", action="store_true", help="dead jobs, with a fresh window of retries")
    requeue.add_argument("--id", type=int, help="only this job")
    requeue.set_defaults(func=cmd_jobs_requeue)
    backup = sub.add_parser("backup", help="pg_dump DATABASE_URL (custom format) to a file, or - for stdout")
    backup.add_argument("path", nargs="?", default="-")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="pg_restore a backup (a file, or - for stdin) into DATABASE_URL")
    restore.add_argument("path", nargs="?", default="-")
    restore.add_argument("--clean", action="store_true", help="drop the database's objects first")
    restore.set_defaults(func=cmd_restore)
    dbp = sub.add_parser("db", help="the embedded PostgreSQL").add_subparsers(dest="db_command", required=True)
    dbp.add_parser("stop", help="stop the embedded PostgreSQL").set_defaults(func=cmd_db_stop)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = production_from_env() if getattr(args, "production", False) else from_env()
    except ConfigError as error:
        print(f"moteplass {args.command}: {error}", file=sys.stderr)
        return EX_CONFIG
    logs.configure(settings.log_level)
    result: int = args.func(args, settings)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
