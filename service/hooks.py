"""Which domains react to a change of another, wired here so that imports keep flowing one way."""

from __future__ import annotations

from .events.domain import EventChangeHook

EVENT_CHANGE_HOOKS: list[EventChangeHook] = []
