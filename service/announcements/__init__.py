"""Announcements from organisers to attendees."""
