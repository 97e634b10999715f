"""Links in mails carry the registration's language, and the pages they open answer in it until the person
switches (the `?lang=` is remembered in the lang cookie)."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Client, MakeEvent, RunJobs
from tests.programme.helpers import attendee
from tests.smtp import SmtpServer, body_of


def _links(mail: Any) -> list[str]:
    text = mail.get_body(("plain",)).get_content()
    return re.findall(r"http://testserver\.local/\S+", text)


async def test_confirmation_links_carry_the_registration_language(
    client: Client, make_event: MakeEvent, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk")
    await client.post("/api/v1/events/kk/registrations", json=attendee(1, language="nn"))

    await run_jobs()

    [mail] = smtp.sink.to("p1@example.no")
    links = _links(mail)
    assert [link.split("/")[3] for link in links] == ["t", "r", "events"]
    assert [link.endswith("?lang=nn") for link in links] == [True, True, True]


async def test_page_from_a_mail_link_answers_in_its_language_until_switched(
    client: Client, make_event: MakeEvent, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk")
    await client.post("/api/v1/events/kk/registrations", json=attendee(1, language="nn"))
    await run_jobs()
    manage = _links(smtp.sink.to("p1@example.no")[0])[1].removeprefix("http://testserver.local")
    english_browser = {"accept": "text/html", "accept-language": "en-GB,en;q=0.9"}

    opened = await client.get(manage, headers=english_browser)
    again = await client.get(manage.split("?")[0], headers=english_browser)
    switched = await client.get(manage.split("?")[0] + "?lang=en", headers=english_browser)
    after_switch = await client.get(manage.split("?")[0], headers=english_browser)

    assert [r.headers["content-language"] for r in (opened, again, switched, after_switch)] == ["nn", "nn", "en", "en"]
    assert "Påmeldinga di" in opened.text


async def test_invite_and_announcement_links_carry_the_language(
    client: Client, make_event: MakeEvent, run_jobs: RunJobs, smtp: SmtpServer
) -> None:
    await make_event(slug="kk")
    await client.post("/api/v1/events/kk/registrations", json=attendee(1, language="en"))

    await run_jobs()

    [invite] = smtp.sink.invites_to("p1@example.no")
    text = body_of(invite, "plain")
    ticket = re.search(r"http://testserver\.local/t/\S+", text)
    assert ticket is not None
    assert ticket.group(0).endswith("?lang=en")
