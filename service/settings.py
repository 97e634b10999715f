"""All configuration, read once from the environment into a frozen Struct.

No secret has a default and no secret appears in a repr or a log line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Secret(str):
    """A string that never shows itself in reprs or logs."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('**********')"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None
    data_dir: Path = PROJECT_ROOT / ".data"
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = "http://127.0.0.1:8000"
    secret_key: Secret | None = None
    smtp_url: str | None = None
    mail_from: str = "Møteplass <no-reply@moteplass.local>"
    slack_bot_token: Secret | None = None
    slack_signing_secret: Secret | None = None
    slack_api_url: str = "https://slack.com/api/"
    web_workers: int = 1
    db_pool_size: int = 10
    # asyncpg's prepared-statement cache per connection; 0 behind PgBouncer in transaction mode, where the next
    # transaction may run on another server connection that never saw the statement.
    db_statement_cache_size: int = 100
    max_body_bytes: int = 1_048_576
    job_lease_seconds: int = 60
    job_max_attempts: int = 8
    job_poll_seconds: float = 0.25
    # Job workers yield the CPU to web workers (os.nice): a burst of background work (2,000 mails, 500 slash
    # commands a second) must not slow the answers people and Slack wait for; jobs only take a little longer.
    worker_nice: int = 10
    retention_days: int = 180
    log_level: str = "INFO"
    secure_cookies: bool = False

    def __repr__(self) -> str:  # secrets are Secret instances; keep the default shape readable
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__struct_fields__)
        return f"Settings({fields})"

    def require_secret_key(self) -> bytes:
        if not self.secret_key:
            raise RuntimeError("SECRET_KEY is not set; `moteplass run` creates one under .data/ for development")
        return self.secret_key.encode()


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


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
        "job_max_attempts": "JOB_MAX_ATTEMPTS",
        "retention_days": "RETENTION_DAYS",
        "worker_nice": "WORKER_NICE",
    }
    for field, name in numbers.items():
        if (value := get(name)) is not None:
            values[field] = int(value)
    if (value := get("JOB_POLL_SECONDS")) is not None:
        values["job_poll_seconds"] = float(value)
    if (value := get("DATA_DIR")) is not None:
        values["data_dir"] = Path(value)
    if (value := get("SECURE_COOKIES")) is not None:
        values["secure_cookies"] = _flag(value)
    for field, name in {
        "secret_key": "SECRET_KEY",
        "slack_bot_token": "SLACK_BOT_TOKEN",
        "slack_signing_secret": "SLACK_SIGNING_SECRET",
    }.items():
        if (value := get(name)) is not None:
            values[field] = Secret(value)
    if "base_url" not in values:
        host = values.get("host", "127.0.0.1")
        port = values.get("port", 8000)
        values["base_url"] = f"http://{host}:{port}"
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
