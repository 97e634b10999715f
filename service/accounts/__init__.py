"""Users, roles, bearer tokens and who may act on which event."""
