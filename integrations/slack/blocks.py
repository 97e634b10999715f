"""Block Kit messages and modals, built with slack-sdk's models so that Slack's limits are checked.

Texts arrive translated (or are translated with the `t` function given); these builders only lay them out.
Text that people wrote (names, titles, subjects) is escaped by `escape`, the one place that knows Slack's
rule, so that it shows as written and never becomes markup: `<!channel>` from a nominator pings no one.
Long texts are split to respect Slack's limits: at most 3000 characters per section, 50 blocks per
message, and messages well under the ~12,000 characters where Slack starts refusing (`msg_blocks_too_long`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.blocks.block_elements import DateTimePickerElement
from slack_sdk.models.views import View

Translate = Callable[[str], str]

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
BLOCKS_PER_MESSAGE = 50
CHARS_PER_MESSAGE = 11_000
SUBJECT_LIMIT = 150
BODY_LIMIT = 3000
COMPOSE = "announce_compose"
CONFIRM = "announce_confirm"


def escape(text: str) -> str:
    """Text as written, for Slack's mrkdwn and a message's `text`: `&`, `<` and `>` as the entities Slack
    expects, so that no mention (`<!channel>`, `<@U…>`), link or date markup can be slipped in."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bullets(lines: Sequence[str]) -> str:
    """Lines of text as written, as a mrkdwn bullet list."""
    return "\n".join(f"• {escape(line)}" for line in lines)


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, a line or a space where one is near."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _plain(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message_pages(
    header: str, body: str, *, context: Sequence[str] = (), link: tuple[str, str] | None = None
) -> list[list[dict[str, Any]]]:
    """One or more messages (lists of blocks) that together show a header, a long mrkdwn body and a footer."""
    blocks: list[Any] = [HeaderBlock(text=PlainTextObject(text=_plain(header, HEADER_LIMIT)))]
    blocks += [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in split_text(body)]
    footer = [MarkdownTextObject(text=item) for item in context if item][:9]
    if link:
        footer.append(MarkdownTextObject(text=f"<{link[0]}|{link[1]}>"))
    if footer:
        blocks.append(ContextBlock(elements=footer))
    pages: list[list[dict[str, Any]]] = [[]]
    size = 0
    for block in blocks:
        encoded = block.to_dict()
        length = len(str(encoded))
        if pages[-1] and (len(pages[-1]) >= BLOCKS_PER_MESSAGE or size + length > CHARS_PER_MESSAGE):
            pages.append([])
            size = 0
        pages[-1].append(encoded)
        size += length
    return pages


def fields_message(
    header: str, lines: Sequence[tuple[str, str]], *, link: tuple[str, str] | None = None
) -> list[dict[str, Any]]:
    """A short message: a header and label/value pairs as written (stats, notifications)."""
    blocks: list[Any] = [HeaderBlock(text=PlainTextObject(text=_plain(header, HEADER_LIMIT)))]
    for start in range(0, len(lines), 10):
        fields = [
            MarkdownTextObject(text=f"*{escape(label)}*\n{escape(value)}") for label, value in lines[start : start + 10]
        ]
        blocks.append(SectionBlock(fields=fields))
    if link:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"<{link[0]}|{link[1]}>")]))
    return [b.to_dict() for b in blocks]


def text_message(text: str) -> list[dict[str, Any]]:
    """Text as written (an announcement's subject in a report, say) in sections; `*bold*` and `code` of our own
    texts still show, nothing in it becomes a mention or a link."""
    return [SectionBlock(text=MarkdownTextObject(text=piece)).to_dict() for piece in split_text(escape(text))][
        :BLOCKS_PER_MESSAGE
    ]


def _text_input(
    block_id: str, label: str, *, limit: int, multiline: bool, optional: bool, initial: str = ""
) -> InputBlock:
    element = PlainTextInputElement(
        action_id=block_id, multiline=multiline, max_length=limit, initial_value=initial or None
    )
    return InputBlock(block_id=block_id, label=PlainTextObject(text=label), element=element, optional=optional)


def compose_view(
    t: Translate,
    *,
    events: Sequence[tuple[str, str]],
    audiences: Sequence[tuple[str, str]],
    metadata: str = "",
) -> dict[str, Any]:
    """The `/moteplass announce` modal: event, audience, subject and text per language, now or later."""
    event_options = [Option(value=slug, text=_plain(title, 75)) for slug, title in events[:100]]
    audience_options = [Option(value=key, text=_plain(label, 75)) for key, label in audiences]
    blocks: list[Any] = [
        InputBlock(
            block_id="event",
            label=PlainTextObject(text=t("Event")),
            element=StaticSelectElement(
                action_id="event",
                options=event_options,
                initial_option=event_options[0] if len(event_options) == 1 else None,
            ),
        ),
        InputBlock(
            block_id="audience",
            label=PlainTextObject(text=t("Recipients")),
            element=StaticSelectElement(
                action_id="audience", options=audience_options, initial_option=audience_options[0]
            ),
        ),
        _text_input("subject_nb", t("Subject (bokmål)"), limit=SUBJECT_LIMIT, multiline=False, optional=False),
        _text_input("body_nb", t("Text (bokmål, Slack formatting)"), limit=BODY_LIMIT, multiline=True, optional=False),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=t("Nynorsk and English are optional; without them attendees get bokmål."))
            ]
        ),
        _text_input("subject_nn", t("Subject (nynorsk)"), limit=SUBJECT_LIMIT, multiline=False, optional=True),
        _text_input("body_nn", t("Text (nynorsk)"), limit=BODY_LIMIT, multiline=True, optional=True),
        _text_input("subject_en", t("Subject (English)"), limit=SUBJECT_LIMIT, multiline=False, optional=True),
        _text_input("body_en", t("Text (English)"), limit=BODY_LIMIT, multiline=True, optional=True),
        InputBlock(
            block_id="when",
            label=PlainTextObject(text=t("When")),
            element=RadioButtonsElement(
                action_id="when",
                options=[Option(value="now", text=t("Send now")), Option(value="later", text=t("Send at a time"))],
                initial_option=Option(value="now", text=t("Send now")),
            ),
        ),
        InputBlock(
            block_id="send_at",
            label=PlainTextObject(text=t("Time (when sending later)")),
            element=DateTimePickerElement(action_id="send_at"),
            optional=True,
        ),
    ]
    view = View(
        type="modal",
        callback_id=COMPOSE,
        title=PlainTextObject(text=_plain(t("New announcement"), 24)),
        submit=PlainTextObject(text=_plain(t("Preview"), 24)),
        close=PlainTextObject(text=_plain(t("Cancel"), 24)),
        blocks=blocks,
        private_metadata=metadata,
    )
    return view.to_dict()


def preview_view(
    t: Translate, *, announcement_id: str, subject: str, body: str, summary: Sequence[tuple[str, str]], submit: str
) -> dict[str, Any]:
    """The preview: who gets it and when (as written), the bokmål subject (as written) and text (mrkdwn);
    submitting confirms."""
    fields = [MarkdownTextObject(text=f"*{escape(label)}*\n{escape(value)}") for label, value in summary][:10]
    blocks: list[Any] = [SectionBlock(fields=fields), DividerBlock()]
    blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{escape(_plain(subject, 200))}*")))
    blocks += [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in split_text(body)][:90]
    view = View(
        type="modal",
        callback_id=CONFIRM,
        title=PlainTextObject(text=_plain(t("Check and send"), 24)),
        submit=PlainTextObject(text=_plain(submit, 24)),
        close=PlainTextObject(text=_plain(t("Cancel"), 24)),
        blocks=blocks,
        private_metadata=announcement_id,
    )
    return view.to_dict()


def notice_view(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something (after confirming, or when something is wrong)."""
    view = View(
        type="modal",
        title=PlainTextObject(text=_plain(title, 24)),
        close=PlainTextObject(text="OK"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=piece)) for piece in split_text(text)],
    )
    return view.to_dict()
