"""The Slack integration on its own: signatures (Slack's official test vector), Retry-After parsing, Block Kit
limits checked by slack-sdk's models, and the client against the fake Slack Web API on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from integrations.slack import RequestVerifier, SlackClient, SlackError, retry_after_seconds
from integrations.slack.blocks import compose_view, message_pages, preview_view, split_text
from tests.slackfake import SlackFake

# From Slack's documentation (and slack-sdk's tests/slack_sdk/signature/test_signature_verifier.py).
OFFICIAL_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
OFFICIAL_TS = 1531420618
OFFICIAL_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
OFFICIAL_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
HEADERS = {"X-Slack-Request-Timestamp": str(OFFICIAL_TS), "X-Slack-Signature": OFFICIAL_SIGNATURE}


def at(seconds_after: float) -> RequestVerifier:
    moment = datetime.fromtimestamp(OFFICIAL_TS + seconds_after, UTC)
    return RequestVerifier(OFFICIAL_SECRET, lambda: moment)


def test_official_test_vector_verifies() -> None:
    assert (at(10).verify(OFFICIAL_BODY, HEADERS), at(0).sign(OFFICIAL_BODY, OFFICIAL_TS)) == (True, OFFICIAL_SIGNATURE)


@pytest.mark.parametrize(
    ("seconds_after", "headers", "body"),
    [
        (301, HEADERS, OFFICIAL_BODY),  # older than five minutes
        (-301, HEADERS, OFFICIAL_BODY),  # from the future
        (10, {**HEADERS, "X-Slack-Signature": "v0=" + "0" * 64}, OFFICIAL_BODY),
        (10, {"X-Slack-Signature": OFFICIAL_SIGNATURE}, OFFICIAL_BODY),  # no timestamp
        (10, {"X-Slack-Request-Timestamp": str(OFFICIAL_TS)}, OFFICIAL_BODY),  # no signature
        (10, {**HEADERS, "X-Slack-Request-Timestamp": "soon"}, OFFICIAL_BODY),
        (10, HEADERS, OFFICIAL_BODY + b"&text=changed"),
    ],
)
def test_request_is_refused_when_anything_is_off(seconds_after: float, headers: dict[str, str], body: bytes) -> None:
    assert at(seconds_after).verify(body, headers) is False


def test_header_names_are_case_insensitive() -> None:
    assert at(0).verify(OFFICIAL_BODY, {k.lower(): v for k, v in HEADERS.items()}) is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", 1.0), ("0.5", 0.5), (" 30 ", 30.0), ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0), ("soon", None), ("nan", None)],
)
def test_retry_after_is_read_leniently(value: str, expected: float | None) -> None:
    now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC).timestamp()

    assert retry_after_seconds({"Retry-After": value}, now=now) == expected


def test_long_text_is_split_within_block_kit_limits() -> None:
    paragraph = "Ordet er fritt. " * 60 + "\n\n"
    body = paragraph * 40  # about 38,000 characters

    pages = message_pages("Kunngjøring " * 20, body, context=["Til alle"], link=("https://moteplass.no/e", "Åpne"))

    blocks = [Block.parse(b) for page in pages for b in page]
    for block in blocks:
        assert block is not None
        block.validate_json()
    assert all(len(page) <= 50 for page in pages)
    assert all(len(str(page)) <= 12_000 for page in pages)
    assert max(len(b["text"]["text"]) for page in pages for b in page if b["type"] == "section") <= 3000
    assert "".join(b["text"]["text"] for page in pages for b in page if b["type"] == "section").replace(
        " ", ""
    ).replace("\n", "") == body.replace(" ", "").replace("\n", "")
    assert len(pages[0][0]["text"]["text"]) == 150


def test_split_text_cuts_at_spaces_and_keeps_short_text_whole() -> None:
    assert split_text("kort") == ["kort"]
    assert split_text("a " * 10, limit=5) == ["a a", "a a", "a a", "a a", "a a"]


def test_modals_validate_with_slack_sdk() -> None:
    compose = compose_view(
        str, events=[("kk", "Kunnskapskommunekonferansen 2027")], audiences=[("confirmed", "Alle med plass")]
    )
    preview = preview_view(
        str, announcement_id="a1", subject="Emne", body="x" * 7000, summary=[("Mottakere", "3")], submit="Send"
    )

    for view in (compose, preview):
        View(**view).validate_json()
    assert [b["block_id"] for b in compose["blocks"] if "block_id" in b] == [
        "event",
        "audience",
        "subject_nb",
        "body_nb",
        "subject_nn",
        "body_nn",
        "subject_en",
        "body_en",
        "when",
        "send_at",
    ]


@pytest.fixture
def fake() -> Iterator[SlackFake]:
    server = SlackFake(users={"U1": "Kari@Example.no"})
    server.start()
    yield server
    server.stop()


async def test_client_talks_to_the_fake_with_slack_sdk(fake: SlackFake) -> None:
    client = SlackClient("xoxb-test", base_url=fake.api_url)

    posted = await client.post_message("C1", text="Hei", blocks=[])
    email = await client.user_email("U1")
    missing = await client.user_email("U404")

    assert (posted.channel, posted.ts, email, missing) == ("C1", "1790000001.000100", "kari@example.no", None)
    assert fake.calls[0].headers["Authorization"] == "Bearer xoxb-test"


async def test_client_reports_a_second_429_with_its_wait(fake: SlackFake) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    client = SlackClient("xoxb-test", base_url=fake.api_url, sleep=sleep)
    fake.fail("chat.postMessage", 429, times=2, retry_after="1")

    with pytest.raises(SlackError) as raised:
        await client.post_message("C1", text="Hei")

    assert (raised.value.status, raised.value.retry_after, waits, len(fake.calls)) == (429, 1.0, [1.0], 2)


async def test_server_error_surfaces_for_the_job_queue_to_retry(fake: SlackFake) -> None:
    client = SlackClient("xoxb-test", base_url=fake.api_url)
    fake.fail("users.info", 500)

    with pytest.raises(SlackError) as raised:
        await client.user_email("U1")

    assert (raised.value.status, raised.value.error, raised.value.retry_after) == (500, "internal_error", 0.0)
