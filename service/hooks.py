"""Which domains react to a change of another, wired here so that imports keep flowing one way."""

from __future__ import annotations

from functools import partial

from .events.domain import EventChangeHook, EventCreateHook
from .programme.domain import on_event_changed as calendars_follow_event
from .programme.domain import on_registration_ended as release_session_places
from .registrations.domain import RegistrationEndHook, RegistrationHook
from .registrations.domain import on_event_changed as registrations_follow_event
from .reminders.domain import add_default_reminders
from .reminders.domain import on_event_changed as reminders_follow_event
from .surveys.domain import on_event_changed as surveys_follow_event
from .workshops.domain import store_preferences as workshops_store_perspectives

# Called inside the transaction that cancels or erases a registration; passed to every call that does.
REGISTRATION_END_HOOKS: list[RegistrationEndHook] = [release_session_places]
EVENT_CHANGE_HOOKS: list[EventChangeHook] = [
    partial(registrations_follow_event, end_hooks=REGISTRATION_END_HOOKS),
    calendars_follow_event,
    reminders_follow_event,
    surveys_follow_event,
]
# Run in the transaction that creates an event.
EVENT_CREATE_HOOKS: list[EventCreateHook] = [add_default_reminders]
# Run in the registering transaction of a registration that carries workshop perspectives.
REGISTRATION_HOOKS: list[RegistrationHook] = [workshops_store_perspectives]
