"""Links back into our own site built from what a request says: they must stay on our origin.

A request path is the visitor's text: `GET //evil.example/x` has the path `//evil.example/x`, which as a link
is scheme-relative and leads off-site; so do `/\\evil.example` (browsers read a backslash as a slash) and
`/%09/evil.example` once decoded (browsers drop tabs and newlines from links).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

# What may stay literal in a URL path (RFC 3986 pchar and "/"); everything else is percent-encoded.
_PATH_CHARACTERS = "/:@!$&'()*+,;=-._~"


def own_path(path: str) -> str:
    """`path` (decoded, as requests give it) as a link on our own origin: percent-encoded, one leading slash."""
    return "/" + quote(path, safe=_PATH_CHARACTERS).lstrip("/")


def is_own_path(target: str) -> bool:
    """Whether a browser following `target` (a path with an optional query) stays on our origin."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)
