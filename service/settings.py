"""All configuration, read once from the environment into a frozen Struct.

No secret has a default and no secret appears in a repr or a log line.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import msgspec

from . import db

T = TypeVar("T")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_KEY_BYTES = 32


class ConfigError(Exception):
    """A setting is missing or unusable; the message is one line that names the variable."""


class Secret(str):
    """A string that never shows itself in reprs or logs."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('**********')"


class Rate(msgspec.Struct, frozen=True):
    """At most `hits` requests per `seconds` (a fixed window)."""

    hits: int
    seconds: int


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour)\s*$")
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600}


def parse_rate(text: str) -> Rate | None:
    """`N/second|minute|hour`, or `0` for no limit. Raises ValueError for anything else."""
    if text.strip() == "0":
        return None
    found = _RATE.match(text.lower())
    if not found or int(found.group(1)) < 1:
        raise ValueError(f"a rate is N/second, N/minute or N/hour (N >= 1), or 0 for none; not {text!r}")
    return Rate(hits=int(found.group(1)), seconds=_UNIT_SECONDS[found.group(2)])


def parse_networks(text: str) -> tuple[str, ...]:
    """Comma-separated addresses or CIDR blocks, each checked and written as a CIDR block. Raises ValueError."""
    return tuple(str(ipaddress.ip_network(part.strip(), strict=False)) for part in text.split(",") if part.strip())


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None
    data_dir: Path = PROJECT_ROOT / ".data"
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = "http://127.0.0.1:8000"
    secret_key: Secret | None = None  # signs; SECRET_KEYS=new,old sets it to the first
    old_secret_keys: tuple[Secret, ...] = ()  # the rest of SECRET_KEYS: still accepted, never used to sign
    metrics_token: Secret | None = None
    metrics_port: int | None = None  # job workers: serve their own metrics on this port
    smtp_url: str | None = None
    mail_from: str = "Møteplass <no-reply@moteplass.local>"
    slack_bot_token: Secret | None = None
    slack_signing_secret: Secret | None = None
    slack_api_url: str = "https://slack.com/api/"
    web_workers: int = 1
    db_pool_size: int = 10
    smtp_max_connections: int = 10
    # The time budget of one request (seconds): a stalled or unreachable database answers 503 within it.
    request_timeout: float = 5.0
    # `moteplass serve` on SIGTERM: /readyz answers 503 for this long before granian stops accepting.
    shutdown_drain_seconds: float = 2.0
    # Set by `moteplass serve` for its web workers: when this file exists, the server is draining.
    drain_file: str | None = None
    # The longest wait for the next part of a request body (seconds); a stalled upload gets 408.
    body_timeout: float = 10.0
    db_acquire_timeout: float = 2.0
    db_lock_timeout: float = 2.0
    # Job workers wait longer on the database than requests do (a big announcement, a placement).
    worker_statement_timeout: float = 60.0
    # asyncpg's prepared-statement cache per connection; 0 behind PgBouncer in transaction mode, where the next
    # transaction may run on another server connection that never saw the statement.
    db_statement_cache_size: int = 100
    max_body_bytes: int = 1_048_576
    # A running job's lease is renewed every third of it, so a killed worker's jobs are taken over this soon.
    job_lease_seconds: int = 15
    # Jobs one worker process runs at once (its pool has a connection for each).
    worker_concurrency: int = 10
    # A stopping worker (SIGTERM) lets its running jobs finish for this long, then gives the rest back at once.
    worker_stop_grace: float = 10.0
    # Mails are retried on a capped schedule for this long (seconds) before they are dead: a relay that is down
    # for hours must not lose a confirmation (a few kinds give up sooner by a count of attempts).
    job_max_age: float = 86_400.0
    # The retry schedule (seconds between attempts, the last repeated); tests shorten it.
    job_retry_schedule: tuple[float, ...] = (10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
    job_poll_seconds: float = 0.25
    # Job workers yield the CPU to web workers (os.nice): a burst of background work (2,000 mails, 500 slash
    # commands a second) must not slow the answers people and Slack wait for; jobs only take a little longer.
    worker_nice: int = 10
    retention_days: int = 180
    # Who is responsible for the personal data and for the service's accessibility, as the privacy notice
    # (/personvern) and the accessibility statement (/tilgjengelighetserklaering) name them. A contact left
    # empty is not shown (the notice then points to the event's organisers).
    organisation_name: str = "Kunnskapskommunen Helse Omsorg Vest og Alrek helseklynge"
    organisation_address: str = ""
    privacy_contact: str = ""  # an e-mail address for privacy requests
    data_protection_officer: str = ""  # the data protection officer's e-mail address
    accessibility_contact: str = ""  # an e-mail address for accessibility feedback
    accessibility_reviewed: str = ""  # the date (YYYY-MM-DD) the accessibility statement was last reviewed
    uustatus_url: str = ""  # the statement as published at the public register, when it is
    log_level: str = "INFO"
    secure_cookies: bool = False
    # Anonymous POSTs (registering, nominating, pairing, signing in, password links) per client address, and
    # per target e-mail address (service/ratelimit.py); None turns a limit off.
    public_rate_limit: Rate | None = Rate(hits=60, seconds=60)
    email_rate_limit: Rate | None = Rate(hits=10, seconds=3600)
    # Direct peers whose X-Forwarded-For names the client (a reverse proxy); nobody else's header is believed.
    trusted_proxies: tuple[str, ...] = ()  # CIDR blocks (parse_networks)

    def __repr__(self) -> str:  # secrets are Secret instances; keep the default shape readable
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__struct_fields__)
        return f"Settings({fields})"

    def web_timeouts(self) -> db.Timeouts:
        """What a request waits for the database: the statement finishes inside the request budget, and a
        server that does not answer at all is given up on just after it."""
        budget = self.request_timeout
        return db.Timeouts(
            acquire=min(self.db_acquire_timeout, budget),
            command=budget,
            statement=max(budget - 0.5, 0.1),
            lock=min(self.db_lock_timeout, budget),
        )

    def worker_timeouts(self) -> db.Timeouts:
        statement = self.worker_statement_timeout
        return db.Timeouts(acquire=30.0, command=statement + 5.0, statement=statement, lock=10.0)

    def require_secret_key(self) -> bytes:
        if not self.secret_key:
            raise RuntimeError("SECRET_KEY is not set; `moteplass run` creates one under .data/ for development")
        return self.secret_key.encode()

    def verification_keys(self) -> tuple[bytes, ...]:
        """Every key a signed code may carry: the signing key first, then the old ones of a rotation."""
        return (self.require_secret_key(), *(key.encode() for key in self.old_secret_keys))


def _keys(value: str) -> list[str]:
    """The keys of SECRET_KEYS (comma-separated, newest first)."""
    return [key.strip() for key in value.split(",") if key.strip()]


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _parsed(name: str, parse: Callable[[str], T], value: str) -> T:
    try:
        return parse(value)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def from_env(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Read settings from the environment (or the mapping given); keyword overrides win."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name)
        return value if value not in (None, "") else None

    values: dict[str, object] = {}
    text = {
        "database_url": "DATABASE_URL",
        "host": "HOST",
        "base_url": "BASE_URL",
        "smtp_url": "SMTP_URL",
        "mail_from": "MAIL_FROM",
        "slack_api_url": "SLACK_API_URL",
        "log_level": "LOG_LEVEL",
        "drain_file": "MOTEPLASS_DRAIN_FILE",
        "organisation_name": "ORGANISATION_NAME",
        "organisation_address": "ORGANISATION_ADDRESS",
        "privacy_contact": "PRIVACY_CONTACT",
        "data_protection_officer": "DATA_PROTECTION_OFFICER",
        "accessibility_contact": "ACCESSIBILITY_CONTACT",
        "accessibility_reviewed": "ACCESSIBILITY_REVIEWED",
        "uustatus_url": "UUSTATUS_URL",
    }
    for field, name in text.items():
        if (value := get(name)) is not None:
            values[field] = value
    numbers = {
        "port": "PORT",
        "web_workers": "WEB_WORKERS",
        "db_pool_size": "DB_POOL_SIZE",
        "db_statement_cache_size": "DB_STATEMENT_CACHE_SIZE",
        "max_body_bytes": "MAX_BODY_BYTES",
        "job_lease_seconds": "JOB_LEASE_SECONDS",
        "worker_concurrency": "WORKER_CONCURRENCY",
        "retention_days": "RETENTION_DAYS",
        "worker_nice": "WORKER_NICE",
        "smtp_max_connections": "SMTP_MAX_CONNECTIONS",
        "metrics_port": "METRICS_PORT",
    }
    for field, name in numbers.items():
        if (value := get(name)) is not None:
            try:
                values[field] = int(value)
            except ValueError:
                raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    fractions = {
        "job_poll_seconds": "JOB_POLL_SECONDS",
        "request_timeout": "REQUEST_TIMEOUT",
        "body_timeout": "BODY_TIMEOUT",
        "db_acquire_timeout": "DB_ACQUIRE_TIMEOUT",
        "db_lock_timeout": "DB_LOCK_TIMEOUT",
        "worker_statement_timeout": "WORKER_STATEMENT_TIMEOUT",
        "job_max_age": "JOB_MAX_AGE",
        "worker_stop_grace": "WORKER_STOP_GRACE",
        "shutdown_drain_seconds": "SHUTDOWN_DRAIN_SECONDS",
    }
    for field, name in fractions.items():
        if (value := get(name)) is not None:
            values[field] = float(value)
    if (value := get("JOB_RETRY_SCHEDULE")) is not None:
        values["job_retry_schedule"] = tuple(float(part) for part in value.split(",") if part.strip())
    if (value := get("DATA_DIR")) is not None:
        values["data_dir"] = Path(value)
    if (value := get("SECURE_COOKIES")) is not None:
        values["secure_cookies"] = _flag(value)
    for field, name in {"public_rate_limit": "PUBLIC_RATE_LIMIT", "email_rate_limit": "EMAIL_RATE_LIMIT"}.items():
        if (value := get(name)) is not None:
            values[field] = _parsed(name, parse_rate, value)
    if (value := get("TRUSTED_PROXIES")) is not None:
        values["trusted_proxies"] = _parsed("TRUSTED_PROXIES", parse_networks, value)
    for field, name in {
        "secret_key": "SECRET_KEY",
        "slack_bot_token": "SLACK_BOT_TOKEN",
        "slack_signing_secret": "SLACK_SIGNING_SECRET",
        "metrics_token": "METRICS_TOKEN",
    }.items():
        if (value := get(name)) is not None:
            values[field] = Secret(value)
    if keys := _keys(get("SECRET_KEYS") or ""):
        if "secret_key" in values:
            raise ConfigError("SECRET_KEY and SECRET_KEYS are both set: set only SECRET_KEYS=new,old during a rotation")
        values["secret_key"], values["old_secret_keys"] = Secret(keys[0]), tuple(Secret(key) for key in keys[1:])
    if "base_url" not in values:
        host = values.get("host", "127.0.0.1")
        port = values.get("port", 8000)
        values["base_url"] = f"http://{host}:{port}"
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def production_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings for `moteplass serve` and `moteplass worker`, which have no development defaults: raises
    ConfigError (one line naming the variable) without DATABASE_URL, a SECRET_KEY (or every key of SECRET_KEYS)
    of at least MIN_SECRET_KEY_BYTES bytes, or an absolute http(s) BASE_URL."""
    env = os.environ if environ is None else environ
    if not env.get("DATABASE_URL"):
        raise ConfigError("DATABASE_URL is not set: give the PostgreSQL to use (development: `moteplass run`)")
    name = "SECRET_KEYS" if env.get("SECRET_KEYS") else "SECRET_KEY"
    keys = _keys(env.get("SECRET_KEYS") or "") if name == "SECRET_KEYS" else [env.get("SECRET_KEY") or ""]
    if not any(keys):
        raise ConfigError(f"{name} is not set: give a random key of at least {MIN_SECRET_KEY_BYTES} bytes")
    shortest = min(len(key.encode()) for key in keys)
    if shortest < MIN_SECRET_KEY_BYTES:
        raise ConfigError(
            f"{name} is too short ({shortest} bytes): every key needs at least {MIN_SECRET_KEY_BYTES} random bytes"
        )
    base_url = env.get("BASE_URL") or ""
    if not base_url:
        raise ConfigError("BASE_URL is not set: give the public address, e.g. https://moteplass.example.no")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"BASE_URL must be an absolute http(s) address such as https://moteplass.example.no, not {base_url!r}"
        )
    return from_env(env, base_url=base_url.rstrip("/"))
