"""Announcing from Slack end to end: signed slash command -> modal -> signed submission -> preview -> confirm
-> every recipient's mail in their language at a real SMTP server, one post in the event's channel, the
announcement on the event page, and a report back in Slack. Pressing confirm twice sends once."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.announcements.conftest import (
    CHANNEL,
    KARI,
    command_body,
    compose_payload,
    confirm_payload,
    interaction_body,
    signed,
)
from tests.conftest import Client, Clock, MakeEvent, RunJobs, auth
from tests.programme.helpers import add_session, session_body
from tests.slackfake import SlackFake
from tests.smtp import SmtpServer, body_of

TEXTS = {
    "subject_nb": "Endret rom",
    "body_nb": "Plenum flytter til *Store auditorium*. Se <https://alrek.no/kart|kartet>.",
    "subject_nn": "Endra rom",
    "body_nn": "Plenum flyttar til *Store auditorium*.",
    "subject_en": "Room changed",
    "body_en": "The plenary moves to *the Great Hall*.",
}


async def post_signed(client: Any, path: str, body: bytes, clock: Any) -> Any:
    return await client.post(path, content=body, headers=signed(body, clock))


async def register(client: Any, slug: str, name: str, email: str, language: str = "nb") -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/events/{slug}/registrations",
        json={"name": name, "email": email, "accept_privacy": True, "language": language},
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def event_with_attendees(client: Any, make_event: Any, organiser_token: str, run_jobs: Any, smtp: Any) -> None:
    await make_event(slug="kk", capacity=3)
    await register(client, "kk", "Kari Bokmål", "nb@example.no", "nb")
    await register(client, "kk", "Nils Nynorsk", "nn@example.no", "nn")
    await register(client, "kk", "Emma English", "en@example.no", "en")
    await register(client, "kk", "Wenche Venteliste", "wait@example.no", "nb")
    response = await client.put(
        "/api/v1/events/kk/slack-channel", json={"channel_id": CHANNEL}, headers=auth(organiser_token)
    )
    assert (response.status_code, response.json()) == (200, {"event": "kk", "channel_id": CHANNEL, "language": "nb"})
    await run_jobs()
    smtp.sink.messages.clear()


async def open_and_preview(client: Any, clock: Any, run_jobs: Any, slack_fake: Any, **texts: Any) -> dict[str, Any]:
    ack = await post_signed(
        client, "/slack/commands", command_body("announce", response_url=slack_fake.response_url("1")), clock
    )
    assert (ack.status_code, ack.content) == (200, b"")
    await run_jobs()
    [opened] = slack_fake.called("views.open")
    assert opened.body["view"]["callback_id"] == "announce_compose"
    preview = await post_signed(client, "/slack/interactions", interaction_body(compose_payload("kk", **texts)), clock)
    assert preview.status_code == 200, preview.text
    answer: dict[str, Any] = preview.json()
    return answer


async def test_announce_from_slack_reaches_everyone_once_in_their_language(
    client: Client,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    slack_fake: SlackFake,
) -> None:
    await event_with_attendees(client, make_event, organiser_token, run_jobs, smtp)
    preview = await open_and_preview(client, clock, run_jobs, slack_fake, **TEXTS)
    assert preview["response_action"] == "update"
    assert preview["view"]["callback_id"] == "announce_confirm"
    fields = [f["text"] for f in preview["view"]["blocks"][0]["fields"]]
    assert fields[1] == "*Mottakere*\nAlle med plass: 3"
    announcement_id = preview["view"]["private_metadata"]

    first = await post_signed(client, "/slack/interactions", interaction_body(confirm_payload(announcement_id)), clock)
    clock.advance(seconds=1)
    second = await post_signed(client, "/slack/interactions", interaction_body(confirm_payload(announcement_id)), clock)
    await run_jobs()
    await run_jobs()

    notices = [r.json()["view"]["blocks"][0]["text"]["text"] for r in (first, second)]
    assert notices == [
        "Sender nå. Du får en rapport her når e-postene er sendt.",
        "Denne kunngjøringen er allerede bekreftet; den sendes bare én gang.",
    ]
    mails = sorted((m.rcpt_tos[0], m.message["Subject"]) for m in smtp.sink.messages)
    assert mails == [("en@example.no", "Room changed"), ("nb@example.no", "Endret rom"), ("nn@example.no", "Endra rom")]
    nynorsk = smtp.sink.to("nn@example.no")[0]
    assert "Plenum flyttar til *Store auditorium*." in body_of(nynorsk, "plain")
    assert "<strong>Store auditorium</strong>" in body_of(nynorsk, "html")
    channel_posts = slack_fake.called("chat.postMessage", channel=CHANNEL)
    assert [p.body["text"] for p in channel_posts] == ["Endret rom"]
    [report] = slack_fake.called("chat.postMessage", channel=KARI)
    assert (
        report.body["text"]
        == "Kunngjøringen «Endret rom»:\n3 e-poster sendt\n0 e-poster feilet\nLagt ut i arrangementets kanal."
    )
    page = await client.get("/events/kk", headers={"accept": "text/html"})
    assert "Endret rom" in page.text
    assert "<strong>Store auditorium</strong>" in page.text
    assert await run_jobs() == 0


async def test_announce_to_the_waiting_list_counts_and_reaches_only_them(
    client: Client,
    clock: Clock,
    make_event: MakeEvent,
    organiser_token: str,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    slack_fake: SlackFake,
) -> None:
    await event_with_attendees(client, make_event, organiser_token, run_jobs, smtp)
    preview = await open_and_preview(
        client,
        clock,
        run_jobs,
        slack_fake,
        subject_nb="Flere plasser",
        body_nb="Vi åpner flere plasser.",
        **{"audience": "waitlisted"},
    )

    await post_signed(
        client, "/slack/interactions", interaction_body(confirm_payload(preview["view"]["private_metadata"])), clock
    )
    await run_jobs()
    await run_jobs()

    assert [f["text"] for f in preview["view"]["blocks"][0]["fields"]][1] == "*Mottakere*\nVentelisten: 1"
    assert [(m.rcpt_tos, m.message["Subject"]) for m in smtp.sink.messages] == [(["wait@example.no"], "Flere plasser")]


@pytest.mark.parametrize("which", ["cancelled", "unknown"])
async def test_announce_from_slack_to_a_session_not_scheduled_is_refused_as_in_the_console(
    which: Any,
    client: Client,
    clock: Any,
    conn: asyncpg.Connection,
    make_event: MakeEvent,
    organiser_token: Any,
    run_jobs: RunJobs,
    smtp: SmtpServer,
    slack_fake: Any,
) -> None:
    await event_with_attendees(client, make_event, organiser_token, run_jobs, smtp)
    session = await add_session(client, organiser_token, **session_body("Åpning", "09:00", "09:30", kind="plenary"))
    if which == "cancelled":
        cancelled = await client.post(f"/api/v1/sessions/{session['id']}/cancel", headers=auth(organiser_token))
        assert cancelled.status_code == 200, cancelled.text
    ref = session["id"] if which == "cancelled" else "9b2f5d1e-0000-4000-8000-000000000000"
    await post_signed(client, "/slack/commands", command_body("announce"), clock)
    await run_jobs()  # the command links Kari's Slack user to her organiser account

    answer = await post_signed(
        client,
        "/slack/interactions",
        interaction_body(compose_payload("kk", audience=f"session:{ref}", subject_nb="Rom", body_nb="Nytt rom.")),
        clock,
    )

    assert (answer.status_code, answer.json()) == (
        200,
        {"response_action": "errors", "errors": {"audience": "Mottakerne er ikke gyldige"}},
    )
    assert await conn.fetchval("SELECT count(*) FROM announcements") == 0
