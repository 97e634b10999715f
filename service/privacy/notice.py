"""The privacy notice's texts: seven parts (controller, contact, purposes, legal basis, retention, sharing, rights)
per language. A part an administrator wrote in the console is stored (privacy_notice_texts) and shown as written;
the others show the standard text from the catalogs, with the organisation's details from the settings. A part is
a list of paragraphs (blank lines between them in the form); the list parts show them as bullets. E-mail and web
addresses in them become links.

Saving a part back to its standard text (or emptying it) removes the stored text, so the part follows the catalogs
again. Every change is audited (`privacy_notice.changed`, with the language and the parts)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

import asyncpg
from markupsafe import Markup, escape

from ..audit import record
from ..errors import Invalid
from ..i18n import Language, gettext, ngettext

PARTS = ("controller", "contact", "purposes", "legal_basis", "retention", "sharing", "rights")
LISTS = frozenset({"purposes", "retention", "rights"})
PART_LABELS = {
    "controller": "Who is responsible",
    "contact": "Contact about personal data",
    "purposes": "What we hold and why",
    "legal_basis": "Legal basis",
    "retention": "How long we keep it",
    "sharing": "Who else sees it",
    "rights": "Your rights",
}
MAX_LENGTH = 5000
CHANGED = "privacy_notice.changed"

STORED = "SELECT part, body FROM privacy_notice_texts WHERE language = $1"
SAVE = """
INSERT INTO privacy_notice_texts (language, part, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (language, part) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at,
                                           updated_by = EXCLUDED.updated_by
 WHERE privacy_notice_texts.body IS DISTINCT FROM EXCLUDED.body
RETURNING part
"""
REMOVE = "DELETE FROM privacy_notice_texts WHERE language = $1 AND part = $2 RETURNING part"

_LINK = re.compile(r"(https?://[^\s<>\"]+[^\s<>\".,;:)])|([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def paragraphs_of(text: str) -> list[str]:
    """The paragraphs of a text: separated by blank lines, each with its lines joined."""
    chunks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return [" ".join(chunk.split()) for chunk in chunks if chunk.strip()]


def linked(text: str) -> Markup:
    """`text` escaped, with its web and e-mail addresses as links."""

    def link(found: re.Match[str]) -> str:
        url, email = found.group(1), found.group(2)
        href = url if url else f"mailto:{email}"
        shown = url or email
        return f'<a class="ds-link" href="{escape(href)}">{escape(shown)}</a>'

    parts, last = [], 0
    for found in _LINK.finditer(text):
        parts.append(str(escape(text[last : found.start()])))
        parts.append(link(found))
        last = found.end()
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))  # noqa: S704 - every piece is escaped above


def standard(part: str, language: Language, *, organisation: Mapping[str, str], retention_days: int) -> list[str]:
    """The standard paragraphs of a part, from the catalogs and the organisation's details (settings)."""
    _ = lambda message, **values: gettext(language, message) % values if values else gettext(language, message)  # noqa: E731
    if part == "controller":
        controller = _("The controller is %(organisation)s.", organisation=organisation["name"])
        return [f"{controller} {organisation['address']}".strip()]
    if part == "contact":
        lines = []
        if organisation["privacy_contact"]:
            lines.append(f"{_('Questions and requests about your personal data:')} {organisation['privacy_contact']}")
        if organisation["data_protection_officer"]:
            lines.append(f"{_('Data protection officer:')} {organisation['data_protection_officer']}")
        if not organisation["privacy_contact"]:
            lines.append(
                _(
                    "Questions and requests about your personal data go to the organisers of the event; their "
                    "address is in the e-mail you received when you registered."
                )
            )
        return lines
    if part == "purposes":
        return [
            _(
                "When you register: your name, e-mail address, organisation, role, language and the answers you "
                "give, so that we can give you a place, send you your ticket and changes, and plan the day."
            ),
            _(
                "Dietary and accessibility needs, only if you tell us, so that the day works for you. Such needs can "
                "say something about your health; we ask only what the event needs."
            ),
            _("The sessions and workshop perspectives you choose, and the group you are placed in."),
            _("When your ticket was scanned at the door, and at which door."),
            _("The e-mails and announcements we sent you, and the calendar invitations."),
            _(
                "When you nominate someone for a prize: your name and e-mail address, the nominee and your "
                "justification, so that the jury can assess the nomination."
            ),
        ]
    if part == "legal_basis":
        return [
            _(
                "We process the data to carry out a task in the public interest: competence development and research "
                "collaboration in the municipal health and care services (GDPR article 6(1)(e)). Needs you choose to "
                "tell us about are processed with your consent (article 9(2)(a)), which you can withdraw by removing "
                "them on your registration page."
            )
        ]
    if part == "retention":
        return [
            ngettext(
                language,
                "Registrations are deleted %(n)s day after the event ends, unless the event states another period.",
                "Registrations are deleted %(n)s days after the event ends, unless the event states another period.",
                retention_days,
            )
            % {"n": retention_days},
            _(
                "Nominations are deleted the same period after the prize's assessment closed. For a winner we keep "
                "the name, title and organisation as the prize's history; contact details and the nominator are "
                "deleted."
            ),
            _(
                "Technical records that can name you (e-mails waiting to be sent, failed sign-ins, stored answers to "
                "repeated requests) are deleted within days."
            ),
            _("Every deletion run is written to an audit log, with counts only."),
        ]
    if part == "sharing":
        return [
            _(
                "The organisers of the event you registered for, and door staff at the entrance (your name and status "
                "only). E-mail is sent through our mail server. We do not sell or share your data for marketing."
            )
        ]
    return [
        _(
            "See and download everything we hold about a registration: use the link in your confirmation e-mail and "
            "choose to download your information."
        ),
        _("Correct your details, or cancel and delete your registration, on the same page."),
        _(
            "Ask us to find and delete everything we hold about your e-mail address across all events, or to limit "
            "or stop the processing, by contacting us."
        ),
        _(
            "Complain to the Norwegian Data Protection Authority (Datatilsynet) if you think we process your data "
            "wrongly."
        )
        + " https://www.datatilsynet.no/",
    ]


async def notice_texts(
    conn: asyncpg.Connection, language: Language, *, organisation: Mapping[str, str], retention_days: int
) -> dict[str, list[str]]:
    """Each part's paragraphs in `language`: as written in the console, else the standard text. Reads only."""
    stored = {row["part"]: row["body"] for row in await conn.fetch(STORED, language)}
    return {
        part: paragraphs_of(stored[part])
        if part in stored
        else standard(part, language, organisation=organisation, retention_days=retention_days)
        for part in PARTS
    }


async def save_notice(
    conn: asyncpg.Connection,
    language: Language,
    texts: Mapping[str, str],
    *,
    organisation: Mapping[str, str],
    retention_days: int,
    actor: str,
    now: datetime,
) -> list[str]:
    """Store the parts of `texts` that differ from the standard text, remove those that are empty or standard
    again; one audit entry naming the parts that changed. Returns them. Raises Invalid (too_long, with the part
    as the field) before changing anything. Idempotent."""
    for part in PARTS:
        if len(texts.get(part, "")) > MAX_LENGTH:
            raise Invalid("too_long", f"at most {MAX_LENGTH} characters", field=part)
    changed: list[str] = []
    async with conn.transaction():
        for part in PARTS:
            written = paragraphs_of(texts.get(part, ""))
            default = standard(part, language, organisation=organisation, retention_days=retention_days)
            if not written or written == default:
                removed = await conn.fetchval(REMOVE, language, part)
            else:
                removed = await conn.fetchval(SAVE, language, part, "\n\n".join(written), now, actor)
            if removed:
                changed.append(part)
        if changed:
            await record(
                conn, CHANGED, actor=actor, event_id=None, data={"language": language, "parts": changed}, at=now
            )
    return changed
