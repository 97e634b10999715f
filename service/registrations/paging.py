"""Keyset cursors for an event's registrations, shared by the API list and the console's table: a page starts
after the key of the last row shown (queue_seq, or the lower-cased name and queue_seq), so every page is an index
range scan, as fast at row 50,000 as at row 1. The cursor is that key as URL-safe base64 JSON."""

from __future__ import annotations

import base64
import json
from typing import Any

MAX_CURSOR = 400


def key_of(sort: str, *, sort_name: str, queue_seq: int) -> list[Any]:
    return [queue_seq] if "created" in sort else [sort_name, queue_seq]


def encode(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, ensure_ascii=False).encode()).decode().rstrip("=")


def decode(cursor: str | None, sort: str) -> list[Any] | None:
    """The key a page starts after, or None for a missing or garbled cursor."""
    if not cursor or len(cursor) > MAX_CURSOR:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        return None
    if "created" in sort:
        valid = isinstance(key, list) and len(key) == 1 and _integer(key[0])
    else:
        valid = isinstance(key, list) and len(key) == 2 and isinstance(key[0], str) and _integer(key[1])
    return key if valid else None


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
