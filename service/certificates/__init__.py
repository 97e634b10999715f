"""Certificates of attendance: a PDF for each checked-in attendee once the event has ended."""
