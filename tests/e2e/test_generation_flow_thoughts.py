"""A Gemini 3 image model's answer, end to end: thought parts (text and an interim image) and thought
signatures come before the final image, and only the final image is kept."""

from __future__ import annotations

from tests.fakes.gemini import DEFAULT_MODEL, line_art_png, png, thinking_image_reply
from tests.fakes.http import ScriptedServer
from tests.integration.generations import fixtures, support
from tests.support.api import ApiClient, User

# The generation-flow fixtures (tests/integration/generations/fixtures.py), for this module.
flow_checks = fixtures.flow_checks
gemini = fixtures.gemini
user = fixtures.user


def test_a_thinking_answer_completes_with_its_final_image(
    api: ApiClient, gemini: ScriptedServer, user: User, sql: support.Sql
):
    # Given a model that thinks aloud and draws an interim image before the final one
    final = line_art_png(48, 48)
    gemini.script(thinking_image_reply(final, interim=png(16, 16, (250, 0, 0))))

    # When the user generates
    answer = api.post("/generations", {"mode": "from_prompt", "prompt": "a grey coat"}, token=user.access_token)
    assert answer.status == 202, answer.body
    done = support.wait_for_generation(api, user, answer.json()["id"])

    # Then it completed with the final image (its thoughts were neither the image nor a text answer)
    assert done["status"] == "completed", done["errorMessage"]
    assert support.decoded_data_uri(done["resultImageBase64"]) == ("image/png", final)
    assert done["modelUsed"] == DEFAULT_MODEL
    assert support.ledger_kinds(sql, generation_id=done["id"]) == ["generation_charge"]
