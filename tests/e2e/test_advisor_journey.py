"""A user's whole path through the gateway: upload a photo, ask the advisor (the app's own boto3 Bedrock client
against a local Converse server), generate the look it suggests, keep it in a collection, find it by tag,
and keep it after the generation and the collection are deleted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imagify import clients
from tests.fakes import bedrock
from tests.fakes.gemini import png
from tests.fakes.http import ScriptedServer, scripted_server
from tests.integration.wardrobe.helpers import ok, upload, wait_for_generation
from tests.support.api import ApiClient, as_kept
from tests.support.images import decoded_data_uri

PROMPT = "A photorealistic full-body photograph of the person in a rust corduroy jacket and cream turtleneck."
ANSWER = f"Try **rust corduroy** over a cream turtleneck.\n\n<generation_prompt>{PROMPT}</generation_prompt>"


def clear_caches() -> None:
    clients.reset()


@pytest.fixture
def converse(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    with scripted_server() as server:
        monkeypatch.setenv("ADVISOR_PROVIDER", "bedrock")
        monkeypatch.setenv("BEDROCK_MODEL_ID", "us.meta.llama4-maverick-17b-instruct-v1:0")
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url)
        monkeypatch.setenv("ADVISOR_COST", "2")
        monkeypatch.setenv("IMAGE_PROVIDER", "offline")
        clear_caches()
        yield server
        clear_caches()


def test_from_advice_to_a_kept_look(api: ApiClient, converse: ScriptedServer):
    user = api.register()
    token = user.access_token

    # The user uploads a photo and asks the advisor about it
    photo = png(60, 80, (120, 80, 40))
    ref = upload(api, user, photo)
    converse.script(bedrock.text_reply(ANSWER))
    session = as_kept(
        ok(api.post("/advisor", {"message": "Autumn date night?", "userPhotoUrl": ref}, token=token), 201)
    )
    assert session["extractedPrompt"] == PROMPT
    assert session["aiResponse"] == "Try **rust corduroy** over a cream turtleneck."
    assert bedrock.images_of(converse.requests[0]) == [("png", photo)]
    assert ok(api.get("/advisor/sessions", token=token))["items"] == [session]

    # They generate the suggested look on their photo; the state machine completes it
    started = ok(api.post(f"/advisor/sessions/{session['id']}/generate", token=token), 202)
    assert (started["mode"], started["prompt"]) == ("photo_text", PROMPT)
    # (the generation keeps the session's upload as a presigned GET URL of it, which the frontend can show)
    assert f"/{ref.removeprefix('upload:')}?" in started["userPhotoUrl"]
    generation = wait_for_generation(api, user, started["id"])
    assert generation["status"] == "completed"

    # They keep it in a new collection, tagged
    collection = ok(api.post("/wardrobe/collections", {"name": "Autumn"}, token=token), 201)
    item = ok(
        api.post(
            f"/generations/{generation['id']}/wardrobe",
            {"title": "Date night", "collectionId": collection["id"], "tags": ["Autumn", "date"]},
            token=token,
        ),
        201,
    )
    assert ok(api.get(f"/generations/{generation['id']}", token=token))["savedToWardrobe"] is True
    assert ok(api.get(f"/wardrobe/collections/{collection['id']}", token=token))["itemCount"] == 1

    # They find it by tag, and its image is the generation's
    found = ok(api.get("/wardrobe/items", token=token, query={"tag": "autumn"}))["items"]
    assert [i["id"] for i in found] == [item["id"]]
    item_image = api.get(f"/wardrobe/items/{item['id']}/image", token=token)
    generation_image = api.get(f"/generations/{generation['id']}/image", token=token)
    assert item_image.body == generation_image.body == decoded_data_uri(generation["resultImageBase64"])[1]

    # What it cost: the advice (2) and the generation (1), in the token history
    history = ok(api.get("/me/token-transactions", token=token))["items"]
    assert [(t["kind"], t["delta"]) for t in history] == [
        ("generation_charge", -1),
        ("advisor_charge", -2),
        ("signup", 50),
    ]
    assert ok(api.get("/me", token=token))["tokens"] == 47

    # They delete the generation and the collection; the look stays in the wardrobe
    assert api.delete(f"/generations/{generation['id']}", token=token).status == 204
    assert api.delete(f"/wardrobe/collections/{collection['id']}", token=token).status == 204
    kept = ok(api.get(f"/wardrobe/items/{item['id']}", token=token))
    assert (kept["generationId"], kept["collectionId"], kept["title"]) == (None, None, "Date night")
    assert api.get(f"/wardrobe/items/{item['id']}/image", token=token).body == item_image.body
