"""The console's organiser (with a password, signed in through the real form) makes the events here too, so the
console's link to the badges can be followed with the session cookie."""

from tests.console.conftest import organiser, organiser_token, signed_in

__all__ = ["organiser", "organiser_token", "signed_in"]
