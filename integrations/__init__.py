"""Adapters to the outside world, each behind a small interface the domains call."""
