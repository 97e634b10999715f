"""ASGI entry point for servers: `granian --interface asgi --factory service.asgi:create`."""

from __future__ import annotations

from litestar import Litestar

from . import logs
from .app import create_app
from .settings import from_env


def create() -> Litestar:
    settings = from_env()
    logs.configure(settings.log_level)
    return create_app(settings)
