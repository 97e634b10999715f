"""Registrations: exact capacity, the waiting list, tickets and self-service."""
