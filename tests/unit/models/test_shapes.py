"""What every API model shares: timestamps, camelCase, unknown fields refused."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest
from pydantic import ValidationError

from imagify.models import rows
from imagify.models.admin import AdminUserPatch
from imagify.models.generations import GenerationInput
from imagify.models.identity import AccessTokenResult, AuthResult, LoginInput, RefreshInput, RegisterInput, User
from imagify.models.uploads import UploadInput
from imagify.models.wardrobe import WardrobeItemPatch
from tests.unit.models.support import error_types, user_row


def test_a_user_is_shown_in_camel_case_with_z_timestamps_and_no_password_hash():
    # Given a user row with a password hash
    row = rows.UserRow.model_validate(user_row(email_verified=datetime(2025, 3, 5, 0, 0, 0)))

    # When it is shown through the API
    body = json.loads(User.model_validate(row).model_dump_json())

    # Then the keys are the contract's, in camelCase, and the hash is nowhere
    assert set(body) == {
        "id",
        "email",
        "name",
        "image",
        "role",
        "plan",
        "tokens",
        "emailVerified",
        "createdAt",
    }
    assert "password" not in json.dumps(body).lower()
    # And timestamps are ISO 8601 UTC with a trailing Z
    assert body["createdAt"] == "2025-03-04T05:06:07.891Z"
    assert body["emailVerified"] == "2025-03-05T00:00:00.000Z"
    assert body["id"] == str(row.id)


def test_an_auth_result_carries_the_user_and_tokens_but_never_the_password_hash():
    # Given a signed-in user
    user = User.model_validate(rows.UserRow.model_validate(user_row()))

    # When the auth result is serialised
    result = AuthResult(
        user=user, access_token="a.b.c", session_token="s3ss10n", expires_at=datetime(2025, 1, 1, 0, 15)
    )
    body = result.model_dump(mode="json")

    # Then it is camelCase, the user nested, and no hash leaks
    assert set(body) == {"user", "accessToken", "sessionToken", "expiresAt"}
    assert body["user"]["email"] == "ada@example.com"
    assert body["expiresAt"] == "2025-01-01T00:15:00.000Z"
    assert "argon2" not in result.model_dump_json()


def test_an_aware_datetime_is_shown_in_utc():
    # Given a timestamp in another zone
    later = datetime(2025, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))

    # When it is shown
    body = AccessTokenResult(access_token="t", expires_at=later).model_dump(mode="json")

    # Then it is the same instant in UTC, with a Z
    assert body == {"accessToken": "t", "expiresAt": "2025-01-01T00:00:00.000Z"}


def test_a_response_reads_back_its_own_json():
    # Given a user as the API shows it
    user = User.model_validate(rows.UserRow.model_validate(user_row(created_at=datetime(2025, 1, 1, 12))))

    # When its JSON is read back (as response validation does)
    again = User.model_validate_json(user.model_dump_json())

    # Then nothing changed
    assert again == user


def test_timestamps_are_documented_as_date_time_strings():
    # Given the OpenAPI-facing schema of a response
    schema = User.model_json_schema(mode="serialization")

    # Then timestamps are strings in date-time format
    assert schema["properties"]["createdAt"]["type"] == "string"
    assert schema["properties"]["createdAt"]["format"] == "date-time"


def test_input_constraints_and_descriptions_reach_the_schema():
    # Given the schema of a request body
    schema = RegisterInput.model_json_schema()

    # Then it is camelCase, constrained and described
    email = schema["properties"]["email"]
    assert email["maxLength"] == 255
    assert email["description"]
    assert schema["properties"]["password"]["minLength"] == 8
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (RegisterInput, {"email": "a@b.co", "password": "long enough", "role": "admin"}),
        (LoginInput, {"email": "a@b.co", "password": "x", "remember": True}),
        (GenerationInput, {"mode": "from_prompt", "prompt": "a hat", "tokens": 0}),
        (WardrobeItemPatch, {"title": "x", "userId": str(uuid4())}),
        (AdminUserPatch, {"role": "admin", "tokens": 10}),
        (UploadInput, {"purpose": "user_photo", "contentType": "image/png", "contentLength": 1, "x": 1}),
    ],
)
def test_unknown_fields_in_a_request_body_are_refused(model, body):
    # Given a body with a field the contract does not have
    # When it is validated
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)

    # Then the unknown field is refused
    assert "extra_forbidden" in {kind for _, kind in error_types(caught.value)}


def test_request_bodies_are_camel_case_only():
    # Given a body written with the Python (snake_case) name
    # When it is validated
    with pytest.raises(ValidationError) as caught:
        RefreshInput.model_validate({"session_token": "s"})

    # Then the snake_case key is unknown and the camelCase one is missing
    assert set(error_types(caught.value)) == {(("session_token",), "extra_forbidden"), (("sessionToken",), "missing")}
