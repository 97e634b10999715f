"""The organiser console: sign-in, sessions and CSRF, the dashboard, events, registrations, exports, the
audit log and invitations. Domain code (passwords, sessions, links, listing) comes first; pages last."""
