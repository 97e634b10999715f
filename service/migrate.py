"""Apply the numbered .sql files in migrations/ in order, each once, each in its own transaction.

An advisory lock serialises concurrent starts; each applied file's SHA-256 is recorded and a changed
file is refused (edit history by adding a migration, never by rewriting one).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from .settings import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
LOCK_KEY = 0x6D6F7465  # "mote"
_NAME = re.compile(r"^(\d{3,})_[a-z0-9_]+\.sql$")

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    sha256      text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(Exception):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file name not understood: {path.name}")
        found.append(Migration(int(match.group(1)), path.name, path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a number")
    return found


async def migrate(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations; return the names applied. Raises MigrationError on checksum drift."""
    migrations = load_migrations(directory)
    await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
    try:
        await conn.execute(CREATE_TABLE)
        applied = {r["version"]: r for r in await conn.fetch("SELECT version, name, sha256 FROM schema_migrations")}
        for version, row in applied.items():
            known = next((m for m in migrations if m.version == version), None)
            if known is None:
                raise MigrationError(f"database has migration {row['name']} that is not in {directory.name}/")
            if known.sha256 != row["sha256"]:
                raise MigrationError(f"migration {known.name} was changed after it was applied")
        done: list[str] = []
        for migration in migrations:
            if migration.version in applied:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    migration.sha256,
                )
            done.append(migration.name)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)
