"""Constrained field types shared by the API schemas (msgspec `Meta` constraints)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
from msgspec import Meta

# The service's local time, Bergen's: what people are shown and what organisers type is in it.
OSLO = ZoneInfo("Europe/Oslo")

# No control characters on one-line fields; multi-line fields allow newline and tab only.
_ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

Slug = Annotated[
    str,
    Meta(
        min_length=2, max_length=80, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="lowercase letters, digits, '-'"
    ),
]
# The key of a workshop's perspective group, e.g. "patient" (unique within the workshop).
GroupKey = Annotated[
    str, Meta(min_length=1, max_length=40, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="a group's key")
]
Line80 = Annotated[str, Meta(min_length=1, max_length=80, pattern=_ONE_LINE)]
Line200 = Annotated[str, Meta(min_length=1, max_length=200, pattern=_ONE_LINE)]
OptLine200 = Annotated[str, Meta(max_length=200, pattern=_ONE_LINE)]
Text2000 = Annotated[str, Meta(max_length=2000, pattern=MULTI_LINE)]
Text10000 = Annotated[str, Meta(max_length=10000, pattern=MULTI_LINE)]
Email = Annotated[
    str,
    Meta(
        min_length=3,
        max_length=254,
        # ASCII only: mail relays without SMTPUTF8 cannot deliver to "åse@…" (the mail job would fail for good
        # after the registration was stored), and no spaces, control characters or address punctuation.
        pattern=r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$",
        description="an e-mail address (ASCII letters and digits; write a domain with æøå in its xn-- form)",
    ),
]
AwareDatetime = Annotated[datetime, Meta(tz=True, description="ISO 8601 with a UTC offset")]
LanguageCode = Annotated[str, Meta(pattern=r"^(nb|nn|en)$")]


class LocalizedLine(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """A short text in bokmål (required), nynorsk and English."""

    nb: Line200
    nn: OptLine200 | None = None
    en: OptLine200 | None = None


class LocalizedText(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """A long text in bokmål (required), nynorsk and English."""

    nb: Text10000 = ""
    nn: Text10000 | None = None
    en: Text10000 | None = None


def localized(value: msgspec.Struct | None) -> dict[str, str]:
    if value is None:
        return {}
    return {k: v for k, v in msgspec.structs.asdict(value).items() if v}
