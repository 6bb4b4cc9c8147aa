"""Logs carry request ids and user ids, never a password, a token, a key or an image."""

from __future__ import annotations

import base64
import io
import json
import time

import pytest
from PIL import Image

from tests.support.api import ApiClient


def _photo_data_uri() -> str:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 120, 200)).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_a_full_journey_logs_no_secret_token_password_or_image(
    api: ApiClient, captured_logs: io.StringIO, capfd: pytest.CaptureFixture[str]
):
    password = "a very secret password 123"
    photo = _photo_data_uri()

    # When a user signs up, signs in, generates from a photo, and keeps the result
    user = api.register(password=password)
    login = api.post("/auth/login", {"email": user.email, "password": password}).json()
    generation = api.post(
        "/generations",
        {"mode": "photo_text", "prompt": "make the jacket red", "userPhotoUrl": photo},
        token=login["accessToken"],
    ).json()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        current = api.get(f"/generations/{generation['id']}", token=login["accessToken"]).json()
        if current["status"] in ("completed", "failed"):
            break
        time.sleep(0.2)
    assert current["status"] == "completed"
    saved = api.post(f"/generations/{generation['id']}/wardrobe", {"title": "red"}, token=login["accessToken"])
    assert saved.status == 201
    result_image = current["resultImageBase64"]
    out, err = capfd.readouterr()
    logs = captured_logs.getvalue() + out + err

    # Then there were structured log lines, with correlation ids and the user's id
    records = [json.loads(line) for line in logs.splitlines() if line.startswith('{"level"')]
    assert records
    assert any(r.get("correlation_id") for r in records)
    assert any(r.get("user_id") == user.id for r in records)
    # And none of the secrets or images is anywhere in the output
    secrets = {
        "password": password,
        "access token": login["accessToken"],
        "first access token": user.access_token,
        "session token": login["sessionToken"],
        "signature of a token": login["accessToken"].rsplit(".", 1)[1],
        "uploaded image": photo.split(",", 1)[1][:200],
        "result image": result_image.split(",", 1)[1][:200],
    }
    leaked = [name for name, value in secrets.items() if value in logs]
    assert leaked == []
