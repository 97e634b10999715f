from tests.conftest import Client, auth, event_body


async def test_create_and_get_event(client: Client, organiser_token: str) -> None:
    created = await client.post("/api/v1/events", json=event_body(), headers=auth(organiser_token))

    fetched = await client.get("/api/v1/events/kk-konferansen-2027")

    assert created.status_code == 201, created.text
    assert fetched.json()["remaining"] == 300
