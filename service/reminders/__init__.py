"""Reminders before an event: the list per event, the fan-out when one is due, and the mails."""
