"""Settings: `moteplass serve` and `moteplass worker` fail closed; SECRET_KEYS for a key rotation."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from service.settings import PROJECT_ROOT, ConfigError, Secret, from_env, production_from_env

KEY = "k" * 32
PRODUCTION = {
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/moteplass",
    "SECRET_KEY": KEY,
    "BASE_URL": "https://moteplass.example.no",
}
SETTINGS = ("DATABASE_URL", "SECRET_KEY", "SECRET_KEYS", "BASE_URL", "SMTP_URL")


def moteplass(command: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", command],
        env={**env, **settings},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def without(name: str, **changes: str) -> dict[str, str]:
    return {key: value for key, value in {**PRODUCTION, **changes}.items() if key != name}


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_production_commands_without_database_url_exit_78_naming_it(command: str) -> None:
    done = moteplass(command, **without("DATABASE_URL"))

    assert (done.returncode, done.stdout, done.stderr) == (
        78,
        "",
        f"moteplass {command}: DATABASE_URL is not set: give the PostgreSQL to use (development: `moteplass run`)\n",
    )


def test_serve_with_a_short_secret_key_exits_78_naming_it() -> None:
    done = moteplass("serve", **without("", SECRET_KEY="short-key"))

    assert (done.returncode, done.stderr) == (
        78,
        "moteplass serve: SECRET_KEY is too short (9 bytes): every key needs at least 32 random bytes\n",
    )


def test_worker_without_secret_key_exits_78_naming_it() -> None:
    done = moteplass("worker", **without("SECRET_KEY"))

    assert (done.returncode, done.stderr) == (
        78,
        "moteplass worker: SECRET_KEY is not set: give a random key of at least 32 bytes\n",
    )


def test_worker_without_base_url_exits_78_naming_it() -> None:
    done = moteplass("worker", **without("BASE_URL"))

    assert (done.returncode, done.stderr) == (
        78,
        "moteplass worker: BASE_URL is not set: give the public address, e.g. https://moteplass.example.no\n",
    )


@pytest.mark.parametrize(
    "base_url", ["moteplass.example.no", "ftp://moteplass.example.no", "https://", "https://x.no/?a=1"]
)
def test_production_settings_refuse_a_base_url_that_is_no_absolute_http_address(base_url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        production_from_env({**PRODUCTION, "BASE_URL": base_url})

    assert str(raised.value) == (
        f"BASE_URL must be an absolute http(s) address such as https://moteplass.example.no, not {base_url!r}"
    )


def test_production_settings_refuse_an_old_key_that_is_too_short() -> None:
    with pytest.raises(ConfigError) as raised:
        production_from_env(without("SECRET_KEY", SECRET_KEYS=f"{KEY},old"))

    assert str(raised.value) == "SECRET_KEYS is too short (3 bytes): every key needs at least 32 random bytes"


def test_production_settings_take_complete_settings_and_drop_a_trailing_slash() -> None:
    settings = production_from_env({**PRODUCTION, "BASE_URL": "https://moteplass.example.no/"})

    assert (settings.database_url, settings.secret_key, settings.base_url) == (
        PRODUCTION["DATABASE_URL"],
        KEY,
        "https://moteplass.example.no",
    )


def test_secret_keys_sign_with_the_first_and_accept_all() -> None:
    settings = from_env({"SECRET_KEYS": " new-key , old-key,"})

    assert (settings.require_secret_key(), settings.verification_keys()) == (b"new-key", (b"new-key", b"old-key"))
    assert settings.old_secret_keys == (Secret("old-key"),)


def test_secret_key_and_secret_keys_together_are_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        from_env({"SECRET_KEY": KEY, "SECRET_KEYS": f"{KEY},{KEY}"})

    assert (
        str(raised.value) == "SECRET_KEY and SECRET_KEYS are both set: set only SECRET_KEYS=new,old during a rotation"
    )


def test_settings_repr_hides_every_key() -> None:
    settings = from_env({"SECRET_KEYS": "new-key,old-key", "METRICS_TOKEN": "scrape-token"})

    assert ("new-key" in repr(settings), "old-key" in repr(settings), "scrape-token" in repr(settings)) == (
        False,
        False,
        False,
    )


def test_secret_keys_of_only_commas_are_unset_and_refused_in_production() -> None:
    settings = from_env({"SECRET_KEYS": " , ,"})

    with pytest.raises(ConfigError) as raised:
        production_from_env(without("SECRET_KEY", SECRET_KEYS=" , ,"))

    assert (settings.secret_key, settings.old_secret_keys) == (None, ())
    assert str(raised.value) == "SECRET_KEYS is not set: give a random key of at least 32 bytes"
