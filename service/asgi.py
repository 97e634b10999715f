"""ASGI entry point for servers: `granian --interface asgi --factory service.asgi:create`."""

from __future__ import annotations

from litestar import Litestar

from . import logs
from .app import create_app
from .process import freeze_startup_objects
from .settings import from_env


def create() -> Litestar:
    settings = from_env()
    logs.configure(settings.log_level)
    app = create_app(settings)
    freeze_startup_objects()
    return app
