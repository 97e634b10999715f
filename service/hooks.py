"""Which domains react to a change of another, wired here so that imports keep flowing one way."""

from __future__ import annotations

from .events.domain import EventChangeHook
from .registrations.domain import on_event_changed as registrations_follow_event

EVENT_CHANGE_HOOKS: list[EventChangeHook] = [registrations_follow_event]
