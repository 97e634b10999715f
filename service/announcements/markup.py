"""Slack's markdown ("mrkdwn") as organisers write it, turned into plain text and safe HTML for mails and pages,
and into safe mrkdwn for Slack itself.

Handled: *bold*, _italic_, ~strike~, `code`, <https://link|label> and <https://link>, paragraphs and lines.
Everything else is text; HTML is escaped first, and only http(s) and mailto links become links.
"""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

from integrations.slack.blocks import escape as slack_escape

_LINK = re.compile(r"<((?:https?://|mailto:)[^|>\s]+)(?:\|([^>]+))?>")
_ESCAPED_LINK = re.compile(r"&lt;((?:https?://|mailto:)[^|\s]+?)(?:\|(.+?))?&gt;")
_STYLES = (
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), "strong"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), "em"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"), "s"),
    (re.compile(r"`([^`\n]+)`"), "code"),
)


def to_text(mrkdwn: str) -> str:
    """Plain text: links written out as `label (url)`, the rest as written."""
    return _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), mrkdwn).strip()


def to_slack(mrkdwn: str) -> str:
    """The text for a Slack message: the styles and http(s)/mailto links above kept, every other `<…>` (a
    mention such as `<!channel>`, a user or a date) and `&` escaped, so it shows as written."""
    escaped = slack_escape(mrkdwn)
    return _ESCAPED_LINK.sub(lambda m: f"<{m.group(1)}|{m.group(2)}>" if m.group(2) else f"<{m.group(1)}>", escaped)


def _inline(line: str) -> str:
    html = escape(line, quote=False)
    links: list[str] = []

    def keep_link(match: re.Match[str]) -> str:
        url = match.group(1).replace('"', "%22")
        label = match.group(2) or match.group(1)
        links.append(f'<a href="{url}">{label}</a>')
        return f"\x00{len(links) - 1}\x00"

    html = _ESCAPED_LINK.sub(keep_link, html)
    for pattern, tag in _STYLES:
        html = pattern.sub(rf"<{tag}>\1</{tag}>", html)
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], html)


def to_html(mrkdwn: str) -> Markup:
    """Paragraphs (blank lines) and line breaks, with the inline styles and links above; safe to embed."""
    paragraphs = [p for p in re.split(r"\n\s*\n", mrkdwn.strip()) if p.strip()]
    rendered = ["<p>" + "<br>\n".join(_inline(line) for line in p.splitlines()) + "</p>" for p in paragraphs]
    return Markup("\n".join(rendered))  # noqa: S704 - every piece is escaped in _inline
