"""Row and API models: what a caller sends, what it gets back, and what a table row holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from pydantic import BaseModel, ValidationError

from imagify.models import api, rows
from imagify.models.common import Page

CREATED = datetime(2025, 3, 4, 5, 6, 7, 891234)  # naive UTC, as psycopg returns `timestamp` columns
PNG = "data:image/png;base64,iVBORw0KGgo="


def error_types(error: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    return [(tuple(item["loc"]), item["type"]) for item in error.errors()]


def user_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid4(),
        "email": "ada@example.com",
        "name": "Ada",
        "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        "image": None,
        "role": "user",
        "plan": "free",
        "tokens": 50,
        "email_verified": None,
        "created_at": CREATED,
        "updated_at": CREATED,
    }
    return row | overrides


def generation_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid4(),
        "user_id": uuid4(),
        "mode": "tryon",
        "status": "completed",
        "prompt": None,
        "user_photo_url": "https://cdn.example.com/me.png",
        "item_photo_url": "data:image/jpeg;base64,/9j/4AAQ",
        "result_image_base64": PNG,
        "ai_prompt_used": "a person wearing the shirt",
        "model_used": "gemini-2.5-flash-image",
        "generation_time_ms": 8123,
        "error_message": None,
        "saved_to_wardrobe": False,
        "created_at": CREATED,
    }
    return row | overrides


def wardrobe_item_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid4(),
        "user_id": uuid4(),
        "generation_id": None,
        "title": "Linen shirt",
        "description": None,
        "image_base64": PNG,
        "collection_id": None,
        "tags": ["summer"],
        "created_at": CREATED,
        "updated_at": None,
    }
    return row | overrides


def collection_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid4(),
        "user_id": uuid4(),
        "name": "Summer",
        "cover_image_base64": PNG,
        "item_count": 3,
        "created_at": CREATED,
    }
    return row | overrides


def only(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    """What a query selecting ``columns`` returns."""
    return {column: row[column] for column in columns}


# --- Row models --------------------------------------------------------------------------------------

COLUMNS_AND_ROWS: list[tuple[tuple[str, ...], type[BaseModel]]] = [
    (rows.USER_COLUMNS, rows.UserRow),
    (rows.ACCOUNT_COLUMNS, rows.AccountRow),
    (rows.SESSION_COLUMNS, rows.SessionRow),
    (rows.GENERATION_COLUMNS, rows.GenerationRow),
    (rows.GENERATION_LIST_COLUMNS, rows.GenerationSummaryRow),
    (rows.WARDROBE_ITEM_COLUMNS, rows.WardrobeItemRow),
    (rows.WARDROBE_ITEM_LIST_COLUMNS, rows.WardrobeItemSummaryRow),
    (rows.WARDROBE_COLLECTION_COLUMNS, rows.WardrobeCollectionRow),
    (rows.WARDROBE_COLLECTION_LIST_COLUMNS, rows.WardrobeCollectionSummaryRow),
    (rows.ADVISOR_SESSION_COLUMNS, rows.AdvisorSessionRow),
    (rows.VERIFICATION_TOKEN_COLUMNS, rows.VerificationTokenRow),
]


@pytest.mark.parametrize(("columns", "model"), COLUMNS_AND_ROWS)
def test_each_column_tuple_names_exactly_the_fields_of_its_row_model(columns, model):
    # Given a column tuple used to build SELECT lists
    # Then it names each field of its row model once, and nothing else
    assert len(set(columns)) == len(columns)
    assert set(columns) == set(model.model_fields)


def test_list_columns_leave_out_the_image_columns():
    # Given the column lists for list endpoints
    # Then the large base64 columns are not selected
    assert "result_image_base64" not in rows.GENERATION_LIST_COLUMNS
    assert "image_base64" not in rows.WARDROBE_ITEM_LIST_COLUMNS
    assert "cover_image_base64" not in rows.WARDROBE_COLLECTION_LIST_COLUMNS
    # And the full lists are the list columns plus the image
    assert set(rows.GENERATION_COLUMNS) - set(rows.GENERATION_LIST_COLUMNS) == {"result_image_base64"}
    assert set(rows.WARDROBE_ITEM_COLUMNS) - set(rows.WARDROBE_ITEM_LIST_COLUMNS) == {"image_base64"}


def test_a_user_row_is_built_from_a_psycopg_dict_row():
    # Given a dict row as psycopg's dict_row factory returns it
    row = user_row(email_verified=CREATED)

    # When it is validated
    user = rows.UserRow.model_validate(row)

    # Then every column is there with its Python type
    assert user.id == row["id"]
    assert user.email_verified == CREATED
    assert user.password_hash == row["password_hash"]
    assert user.role == "user"


def test_a_row_can_be_built_from_an_object_with_attributes():
    # Given an object whose attributes are the columns
    class Record:
        identifier = "ada@example.com"
        token = "t0k3n"
        expires = CREATED

    # When it is validated
    token = rows.VerificationTokenRow.model_validate(Record())

    # Then the row holds its values
    assert token.token == "t0k3n"


def test_rows_are_immutable():
    # Given a row
    user = rows.UserRow.model_validate(user_row())

    # When code tries to change it
    # Then it is refused
    with pytest.raises(ValidationError):
        user.tokens = 0  # type: ignore[misc]


def test_a_list_row_refuses_a_selected_image_column():
    # Given a full generations row (the image was selected too)
    row = generation_row()

    # When it is validated as a list row
    # Then the unexpected column is refused: list queries must use GENERATION_LIST_COLUMNS
    with pytest.raises(ValidationError) as caught:
        rows.GenerationSummaryRow.model_validate(row)
    assert error_types(caught.value) == [(("result_image_base64",), "extra_forbidden")]
    # And the list columns validate
    assert rows.GenerationSummaryRow.model_validate(only(row, rows.GENERATION_LIST_COLUMNS)).mode == "tryon"


def test_a_row_missing_a_column_is_refused():
    # Given a row without its image column
    row = only(wardrobe_item_row(), rows.WARDROBE_ITEM_LIST_COLUMNS)

    # When it is validated as a full row
    # Then the missing column is reported
    with pytest.raises(ValidationError) as caught:
        rows.WardrobeItemRow.model_validate(row)
    assert error_types(caught.value) == [(("image_base64",), "missing")]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "a" * 250 + "@b.com"),  # varchar(255)
        ("role", "owner"),
        ("plan", "enterprise"),
        ("created_at", datetime(2025, 1, 1, tzinfo=UTC)),  # the columns hold naive UTC
    ],
)
def test_a_user_row_refuses_values_its_columns_cannot_hold(field, value):
    # Given a user row with a value out of its column's domain
    # When it is validated
    # Then it is refused
    with pytest.raises(ValidationError):
        rows.UserRow.model_validate(user_row(**{field: value}))


def test_enum_columns_take_only_the_enum_values():
    # Given a generation row with an unknown status
    row = only(generation_row(status="cancelled"), rows.GENERATION_LIST_COLUMNS)

    # When it is validated
    # Then it is refused
    with pytest.raises(ValidationError):
        rows.GenerationSummaryRow.model_validate(row)


# --- Timestamps and casing ---------------------------------------------------------------------------


def test_a_user_is_shown_in_camel_case_with_z_timestamps_and_no_password_hash():
    # Given a user row with a password hash
    row = rows.UserRow.model_validate(user_row(email_verified=datetime(2025, 3, 5, 0, 0, 0)))

    # When it is shown through the API
    body = json.loads(api.User.from_row(row).model_dump_json())

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
    user = api.User.from_row(rows.UserRow.model_validate(user_row()))

    # When the auth result is serialised
    result = api.AuthResult(
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
    body = api.AccessTokenResult(access_token="t", expires_at=later).model_dump(mode="json")

    # Then it is the same instant in UTC, with a Z
    assert body == {"accessToken": "t", "expiresAt": "2025-01-01T00:00:00.000Z"}


def test_a_response_reads_back_its_own_json():
    # Given a user as the API shows it
    user = api.User.from_row(rows.UserRow.model_validate(user_row(created_at=datetime(2025, 1, 1, 12))))

    # When its JSON is read back (as response validation does)
    again = api.User.model_validate_json(user.model_dump_json())

    # Then nothing changed
    assert again == user


def test_timestamps_are_documented_as_date_time_strings():
    # Given the OpenAPI-facing schema of a response
    schema = api.User.model_json_schema(mode="serialization")

    # Then timestamps are strings in date-time format
    assert schema["properties"]["createdAt"]["type"] == "string"
    assert schema["properties"]["createdAt"]["format"] == "date-time"


def test_input_constraints_and_descriptions_reach_the_schema():
    # Given the schema of a request body
    schema = api.RegisterInput.model_json_schema()

    # Then it is camelCase, constrained and described
    email = schema["properties"]["email"]
    assert email["maxLength"] == 255
    assert email["description"]
    assert schema["properties"]["password"]["minLength"] == 8
    assert schema["additionalProperties"] is False


# --- Unknown fields ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (api.RegisterInput, {"email": "a@b.co", "password": "long enough", "role": "admin"}),
        (api.LoginInput, {"email": "a@b.co", "password": "x", "remember": True}),
        (api.GenerationInput, {"mode": "from_prompt", "prompt": "a hat", "tokens": 0}),
        (api.WardrobeItemPatch, {"title": "x", "userId": str(uuid4())}),
        (api.AdminUserPatch, {"role": "admin", "tokens": 10}),
        (api.UploadInput, {"purpose": "user_photo", "contentType": "image/png", "contentLength": 1, "x": 1}),
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
        api.RefreshInput.model_validate({"session_token": "s"})

    # Then the snake_case key is unknown and the camelCase one is missing
    assert set(error_types(caught.value)) == {(("session_token",), "extra_forbidden"), (("sessionToken",), "missing")}


# --- Identity ----------------------------------------------------------------------------------------


def test_a_registration_email_is_trimmed_and_keeps_its_case():
    # Given an email typed with spaces and capitals
    # When the registration is validated
    body = api.RegisterInput.model_validate({"email": "  Ada.Lovelace@Example.COM ", "password": "correct horse"})

    # Then it is trimmed, and kept as typed (lookups ignore the case; the frontend's adapter does not)
    assert body.email == "Ada.Lovelace@Example.COM"
    assert body.name is None


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (api.LoginInput, {"email": " ADA@Example.com", "password": "x"}),
        (api.PasswordResetRequestInput, {"email": "Ada@EXAMPLE.com "}),
        (api.VerifyEmailConfirmInput, {"email": "ADA@EXAMPLE.COM", "token": "t"}),
        (api.PasswordResetConfirmInput, {"email": " ada@example.COM", "token": "t", "newPassword": "12345678"}),
    ],
)
def test_every_email_input_is_normalised_the_same_way(model, body):
    # Given an email in mixed case with spaces, in any body that takes one
    # When it is validated
    # Then it is trimmed and keeps its case: every lookup ignores the case (imagify.identity.users.email_key)
    assert model.model_validate(body).email == body["email"].strip()


@pytest.mark.parametrize(
    "email",
    [
        "",
        "ada",
        "ada@example",
        "ada @example.com",
        "@example.com",
        "a@b@c.com",
        "a" * 250 + "@b.com",
        "ad\u009aa@example.com",
        "ada\x7f@example.com",
    ],
)
def test_an_email_that_is_not_an_address_is_refused(email):
    # Given an email that is not an address, or longer than 255 characters
    # When the registration is validated
    # Then it is refused
    with pytest.raises(ValidationError) as caught:
        api.RegisterInput.model_validate({"email": email, "password": "correct horse"})
    assert [loc for loc, _ in error_types(caught.value)] == [("email",)]


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("p" * 7, False),
        ("p" * 8, True),
        ("p" * 72, True),
        ("p" * 73, False),
        ("é" * 36, True),  # 72 bytes in UTF-8
        ("é" * 37, False),  # 37 characters, but 74 bytes: more than bcrypt reads
        ("🙂" * 19, False),  # 19 characters, 76 bytes
    ],
)
def test_a_new_password_is_8_characters_to_72_utf8_bytes(password, accepted):
    # Given a password of some length
    body = {"email": "ada@example.com", "password": password}

    # When registering, and when resetting
    reset = {"email": "ada@example.com", "token": "t", "newPassword": password}
    outcomes = []
    for model, data in ((api.RegisterInput, body), (api.PasswordResetConfirmInput, reset)):
        try:
            model.model_validate(data)
            outcomes.append(True)
        except ValidationError:
            outcomes.append(False)

    # Then both accept at least 8 characters and at most 72 bytes (bcrypt's limit: never truncated)
    assert outcomes == [accepted, accepted]


@pytest.mark.parametrize(("password", "accepted"), [("", False), ("x", True), ("p" * 256, True), ("p" * 257, False)])
def test_a_login_password_is_1_to_256_characters(password, accepted):
    body = {"email": "ada@example.com", "password": password}
    if accepted:
        assert api.LoginInput.model_validate(body).password == password
    else:
        with pytest.raises(ValidationError):
            api.LoginInput.model_validate(body)


def test_passwords_and_tokens_stay_out_of_reprs():
    # Given inputs holding secrets
    login = api.LoginInput.model_validate({"email": "ada@example.com", "password": "hunter2hunter2"})
    refresh = api.RefreshInput.model_validate({"sessionToken": "s3cr3t-session"})

    # When they are logged (repr)
    # Then the secrets are not in the text
    assert "hunter2" not in repr(login)
    assert "s3cr3t" not in repr(refresh)


def test_a_registration_name_is_trimmed_and_not_blank():
    assert api.RegisterInput.model_validate({"email": "a@b.co", "password": "12345678", "name": " Ada "}).name == "Ada"
    with pytest.raises(ValidationError):
        api.RegisterInput.model_validate({"email": "a@b.co", "password": "12345678", "name": "   "})


# --- Me ----------------------------------------------------------------------------------------------


def test_a_me_patch_tells_a_missing_field_from_an_explicit_null():
    # Given a patch that clears the image and leaves the name alone
    patch = api.MePatchInput.model_validate({"image": None})

    # Then only the image is set, to null
    assert patch.model_fields_set == {"image"}
    assert patch.changes() == {"image": None}


@pytest.mark.parametrize(
    ("image", "accepted"),
    [
        ("https://cdn.example.com/a.png", True),
        ("https://cdn.example.com/" + "a" * 2000, True),
        ("https://cdn.example.com/" + "a" * 2030, False),  # over 2048 characters
        ("http://cdn.example.com/a.png", False),
        ("javascript:alert(1)", False),
        (PNG, False),
        ("https://", False),
    ],
)
def test_a_me_image_is_an_https_url_of_at_most_2048_characters(image, accepted):
    if accepted:
        assert api.MePatchInput.model_validate({"image": image}).image == image
    else:
        with pytest.raises(ValidationError):
            api.MePatchInput.model_validate({"image": image})


def test_an_empty_patch_is_refused():
    # Given a PATCH body that changes nothing
    # When it is validated
    # Then it is refused
    for model in (api.MePatchInput, api.WardrobeItemPatch, api.CollectionPatch, api.AdminUserPatch):
        with pytest.raises(ValidationError) as caught:
            model.model_validate({})
        assert error_types(caught.value) == [((), "empty_patch")]


def test_deleting_me_may_carry_a_password():
    assert api.MeDeleteInput.model_validate({}).password is None
    assert api.MeDeleteInput.model_validate({"password": "x"}).password == "x"
    with pytest.raises(ValidationError):
        api.MeDeleteInput.model_validate({"password": ""})


def test_a_token_transaction_is_built_from_a_snake_case_row():
    # Given a ledger row
    generation_id = uuid4()
    row = {
        "id": uuid4(),
        "user_id": uuid4(),
        "delta": -5,
        "balance_after": 45,
        "kind": "generation_charge",
        "generation_id": generation_id,
        "note": None,
        "created_at": CREATED,
    }

    # When it is shown
    body = api.TokenTransaction.from_row(row).model_dump(mode="json")

    # Then it is camelCase, without the owner
    assert body == {
        "id": str(row["id"]),
        "delta": -5,
        "balanceAfter": 45,
        "kind": "generation_charge",
        "generationId": str(generation_id),
        "note": None,
        "createdAt": "2025-03-04T05:06:07.891Z",
    }


# --- Uploads -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "accepted"), [(0, False), (1, True), (10 * 1024 * 1024, True), (10 * 1024 * 1024 + 1, False)]
)
def test_an_upload_is_at_most_10_mib(length, accepted):
    body = {"purpose": "item_photo", "contentType": "image/webp", "contentLength": length}
    if accepted:
        assert api.UploadInput.model_validate(body).content_length == length
    else:
        with pytest.raises(ValidationError):
            api.UploadInput.model_validate(body)


@pytest.mark.parametrize(
    "change", [{"contentType": "image/gif"}, {"purpose": "avatar"}, {"contentLength": "1024"}, {"contentLength": 1.5}]
)
def test_an_upload_takes_only_the_listed_types_purposes_and_an_integer_size(change):
    body = {"purpose": "user_photo", "contentType": "image/png", "contentLength": 1024} | change
    with pytest.raises(ValidationError):
        api.UploadInput.model_validate(body)


def test_an_upload_ticket_is_camel_case():
    ticket = api.UploadTicket(
        upload_url="https://bucket.s3.amazonaws.com/",
        fields={"key": "uploads/u/1", "Content-Type": "image/png"},
        upload_ref="uploads/u/1",
        expires_at=CREATED,
    )
    body = ticket.model_dump(mode="json")
    assert set(body) == {"uploadUrl", "fields", "uploadRef", "expiresAt"}
    # And the form fields are passed through as given, not re-cased
    assert body["fields"] == {"key": "uploads/u/1", "Content-Type": "image/png"}


# --- Generations -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "tryon", "userPhotoUrl": "https://x.io/me.png", "itemPhotoUrl": PNG},
        {"mode": "tryon", "userPhotoUrl": PNG, "itemPhotoUrl": PNG, "prompt": "tuck the shirt in"},
        {"mode": "from_prompt", "prompt": "a red linen shirt"},
        {"mode": "photo_text", "userPhotoUrl": PNG, "prompt": "me in a tuxedo"},
        {"mode": "from_prompt", "prompt": "a hat", "options": {"aspectRatio": "9:16", "style": "editorial"}},
        {"mode": "from_prompt", "prompt": "a hat", "userPhotoUrl": None},
    ],
)
def test_a_generation_request_that_fits_its_mode_is_accepted(body):
    assert api.GenerationInput.model_validate(body).mode == body["mode"]


@pytest.mark.parametrize(
    ("body", "missing", "refused"),
    [
        ({"mode": "tryon", "userPhotoUrl": PNG}, ["itemPhotoUrl"], []),
        ({"mode": "tryon", "itemPhotoUrl": PNG, "prompt": "x"}, ["userPhotoUrl"], []),
        ({"mode": "from_prompt"}, ["prompt"], []),
        ({"mode": "from_prompt", "prompt": "x", "itemPhotoUrl": PNG}, [], ["itemPhotoUrl"]),
        ({"mode": "photo_text", "prompt": "x"}, ["userPhotoUrl"], []),
        ({"mode": "photo_text", "userPhotoUrl": PNG}, ["prompt"], []),
        ({"mode": "photo_text", "userPhotoUrl": PNG, "prompt": "x", "itemPhotoUrl": PNG}, [], ["itemPhotoUrl"]),
    ],
)
def test_a_generation_request_must_fit_its_mode(body, missing, refused):
    # Given a request missing what its mode needs, or carrying what it does not take
    # When it is validated
    with pytest.raises(ValidationError) as caught:
        api.GenerationInput.model_validate(body)

    # Then one error names the fields, in camelCase
    [error] = caught.value.errors()
    assert error["type"] == "mode_fields"
    assert error["ctx"]["missing"] == missing
    assert error["ctx"]["refused"] == refused
    for name in missing + refused:
        assert name in error["msg"]


def test_a_generation_prompt_is_trimmed_and_1_to_2000_characters():
    body = api.GenerationInput.model_validate({"mode": "from_prompt", "prompt": "  a hat \n"})
    assert body.prompt == "a hat"
    assert api.GenerationInput.model_validate({"mode": "from_prompt", "prompt": "p" * 2000}).prompt == "p" * 2000
    for prompt in ("   ", "p" * 2001):
        with pytest.raises(ValidationError):
            api.GenerationInput.model_validate({"mode": "from_prompt", "prompt": prompt})


@pytest.mark.parametrize("options", [{"aspectRatio": "2:1"}, {"style": "s" * 101}, {"seed": 4}])
def test_generation_options_are_limited(options):
    with pytest.raises(ValidationError):
        api.GenerationInput.model_validate({"mode": "from_prompt", "prompt": "a hat", "options": options})


def test_a_generation_photo_may_be_long_but_not_over_7_million_characters():
    body = {"mode": "photo_text", "prompt": "x", "userPhotoUrl": "data:image/png;base64," + "A" * 6_999_000}
    assert api.GenerationInput.model_validate(body).user_photo_url is not None
    body["userPhotoUrl"] = "A" * 7_000_001
    with pytest.raises(ValidationError):
        api.GenerationInput.model_validate(body)


def test_a_generation_detail_carries_the_result_image_and_a_list_item_does_not():
    # Given a generation row, selected whole and selected for a list
    row = generation_row()
    full = rows.GenerationRow.model_validate(row)
    summary = rows.GenerationSummaryRow.model_validate(only(row, rows.GENERATION_LIST_COLUMNS))

    # When each is shown
    detail = api.Generation.from_row(full, tokens_charged=3).model_dump(mode="json")
    item = api.GenerationSummary.from_row(summary, tokens_charged=3).model_dump(mode="json")

    # Then the detail has the image and the list item has no such key at all
    assert detail["resultImageBase64"] == PNG
    assert "resultImageBase64" not in item
    # And both carry the same other fields, camelCase
    assert {key: value for key, value in detail.items() if key != "resultImageBase64"} == item
    assert set(item) == {
        "id",
        "userId",
        "mode",
        "status",
        "prompt",
        "userPhotoUrl",
        "itemPhotoUrl",
        "aiPromptUsed",
        "modelUsed",
        "generationTimeMs",
        "errorMessage",
        "savedToWardrobe",
        "tokensCharged",
        "createdAt",
    }
    assert item["tokensCharged"] == 3
    assert item["createdAt"] == "2025-03-04T05:06:07.891Z"


def test_a_page_of_generations_has_no_image_keys():
    # Given a page of list items
    summary = rows.GenerationSummaryRow.model_validate(only(generation_row(), rows.GENERATION_LIST_COLUMNS))
    page = Page[api.GenerationSummary](
        items=[api.GenerationSummary.from_row(summary, tokens_charged=5)], next_cursor="abc"
    )

    # When it is serialised
    body = json.loads(page.model_dump_json())

    # Then it is the list envelope and no item has the image
    assert body["nextCursor"] == "abc"
    assert all("resultImageBase64" not in item for item in body["items"])


def test_an_inline_photo_is_shown_as_null_and_a_url_as_stored():
    # Given a generation whose user photo is a URL and whose item photo was sent inline
    row = rows.GenerationRow.model_validate(generation_row())

    # When it is shown
    body = api.Generation.from_row(row, tokens_charged=0).model_dump(mode="json")

    # Then the URL is kept and the data URI is not echoed back
    assert body["userPhotoUrl"] == "https://cdn.example.com/me.png"
    assert body["itemPhotoUrl"] is None


def test_a_generation_list_query_reads_query_string_values():
    # Given query-string values (all strings)
    query = api.GenerationListQuery.model_validate({"savedToWardrobe": "true", "limit": "5", "mode": "tryon"})

    # Then they are typed
    assert (query.saved_to_wardrobe, query.limit, query.mode, query.cursor) == (True, 5, "tryon", None)
    # And the page size defaults to 20 and is limited to 1..100
    assert api.GenerationListQuery.model_validate({}).limit == 20
    for limit in ("0", "101"):
        with pytest.raises(ValidationError):
            api.GenerationListQuery.model_validate({"limit": limit})
    with pytest.raises(ValidationError):
        api.GenerationListQuery.model_validate({"status": "cancelled"})


# --- Wardrobe ----------------------------------------------------------------------------------------


def test_tags_are_trimmed_lower_cased_and_deduplicated_in_order():
    # Given tags typed by a person
    body = api.SaveToWardrobeInput.model_validate({"tags": [" Summer", "linen ", "SUMMER", "Blue", "linen"]})

    # Then they are stored normalised, first occurrence kept
    assert body.tags == ["summer", "linen", "blue"]


@pytest.mark.parametrize(
    ("tags", "accepted"),
    [
        ([], True),
        (["t" * 40], True),
        (["t" * 41], False),
        ([" "], False),
        ([""], False),
        ([f"tag{i}" for i in range(20)], True),
        ([f"tag{i}" for i in range(21)], False),
        ("summer", False),
        ([1], False),
    ],
)
def test_tags_are_at_most_20_of_1_to_40_characters(tags, accepted):
    body = {"imageBase64": PNG, "tags": tags}
    if accepted:
        assert api.WardrobeItemInput.model_validate(body).tags == tags
    else:
        with pytest.raises(ValidationError):
            api.WardrobeItemInput.model_validate(body)


def test_save_to_wardrobe_takes_optional_fields():
    collection = uuid4()
    body = api.SaveToWardrobeInput.model_validate({"title": " Shirt ", "collectionId": str(collection)})
    assert (body.title, body.collection_id, body.tags) == ("Shirt", collection, None)
    for bad in ({"title": "t" * 256}, {"description": "d" * 5001}, {"collectionId": "not-a-uuid"}):
        with pytest.raises(ValidationError):
            api.SaveToWardrobeInput.model_validate(bad)


@pytest.mark.parametrize(
    ("image", "accepted"),
    [
        (PNG, True),
        ("data:image/jpeg;base64,/9j/4AAQSkZJRg==", True),
        ("data:image/webp;base64,UklGRg==", True),
        ("data:image/gif;base64,R0lGODlh", True),  # well-formed: the domain answers 415 for the type
        ("data:image/png,rawbytes", False),
        ("data:image/png;base64,not base64!", False),
        ("https://cdn.example.com/a.png", False),
        ("data:image/png;base64," + "A" * 7_000_000, False),
    ],
)
def test_a_wardrobe_image_is_a_base64_data_uri(image, accepted):
    if accepted:
        assert api.WardrobeItemInput.model_validate({"imageBase64": image}).image_base64 == image
    else:
        with pytest.raises(ValidationError):
            api.WardrobeItemInput.model_validate({"imageBase64": image})


def test_a_wardrobe_patch_tells_absent_from_null():
    # Given a patch that takes the item out of its collection, and one that only retitles it
    remove = api.WardrobeItemPatch.model_validate({"collectionId": None})
    retitle = api.WardrobeItemPatch.model_validate({"title": "New"})

    # Then the first sets collection_id to null and the second leaves it alone
    assert remove.model_fields_set == {"collection_id"}
    assert remove.changes() == {"collection_id": None}
    assert "collection_id" not in retitle.model_fields_set
    assert retitle.changes() == {"title": "New"}


def test_a_wardrobe_patch_lists_its_changes_in_field_order_with_column_names():
    collection = uuid4()
    patch = api.WardrobeItemPatch.model_validate(
        {"tags": ["A", "a"], "collectionId": str(collection), "description": None, "title": "T"}
    )
    assert list(patch.changes().items()) == [
        ("title", "T"),
        ("description", None),
        ("collection_id", collection),
        ("tags", ["a"]),
    ]


def test_a_wardrobe_patch_may_not_null_the_tags():
    # Given a patch with tags set to null
    # When it is validated
    with pytest.raises(ValidationError) as caught:
        api.WardrobeItemPatch.model_validate({"tags": None})

    # Then it is refused; an empty list clears them instead
    assert error_types(caught.value) == [(("tags",), "not_nullable")]
    assert api.WardrobeItemPatch.model_validate({"tags": []}).changes() == {"tags": []}


def test_a_wardrobe_item_detail_carries_the_image_and_a_list_item_does_not():
    # Given an item row whose tags column is NULL
    row = wardrobe_item_row(tags=None, updated_at=datetime(2025, 3, 5))

    # When it is shown whole and in a list
    detail = api.WardrobeItem.from_row(rows.WardrobeItemRow.model_validate(row)).model_dump(mode="json")
    item = api.WardrobeItemSummary.from_row(
        rows.WardrobeItemSummaryRow.model_validate(only(row, rows.WARDROBE_ITEM_LIST_COLUMNS))
    ).model_dump(mode="json")

    # Then only the detail has the image
    assert detail["imageBase64"] == PNG
    assert "imageBase64" not in item
    assert set(item) == {
        "id",
        "userId",
        "generationId",
        "title",
        "description",
        "collectionId",
        "tags",
        "createdAt",
        "updatedAt",
    }
    # And NULL tags are shown as an empty list
    assert item["tags"] == []
    assert item["updatedAt"] == "2025-03-05T00:00:00.000Z"


def test_a_collection_shows_its_cover_only_when_asked_for():
    # Given a collection row
    row = collection_row()

    # When it is shown without and with the cover
    plain = api.Collection.from_row(
        rows.WardrobeCollectionSummaryRow.model_validate(only(row, rows.WARDROBE_COLLECTION_LIST_COLUMNS))
    ).model_dump(mode="json")
    covered = api.CollectionWithCover.from_row(rows.WardrobeCollectionRow.model_validate(row)).model_dump(mode="json")

    # Then the cover key is absent unless requested, and the owner is never shown
    assert set(plain) == {"id", "name", "itemCount", "createdAt"}
    assert covered["coverImageBase64"] == PNG
    assert set(covered) - set(plain) == {"coverImageBase64"}


def test_a_collection_name_is_trimmed_and_may_not_be_nulled():
    assert api.CollectionInput.model_validate({"name": "  Summer  "}).name == "Summer"
    with pytest.raises(ValidationError):
        api.CollectionInput.model_validate({"name": "  "})
    with pytest.raises(ValidationError):
        api.CollectionInput.model_validate({"name": "Summer", "coverImageBase64": "https://x.io/a.png"})
    with pytest.raises(ValidationError) as caught:
        api.CollectionPatch.model_validate({"name": None})
    assert error_types(caught.value) == [(("name",), "not_nullable")]
    assert api.CollectionPatch.model_validate({"coverImageBase64": None}).changes() == {"cover_image_base64": None}


# --- Advisor -----------------------------------------------------------------------------------------


def test_an_advisor_message_is_1_to_4000_characters():
    assert api.AdvisorInput.model_validate({"message": " What goes with navy? "}).message == "What goes with navy?"
    for message in ("  ", "m" * 4001):
        with pytest.raises(ValidationError):
            api.AdvisorInput.model_validate({"message": message})


def test_an_advisor_session_is_camel_case_and_hides_an_inline_photo():
    row = rows.AdvisorSessionRow.model_validate(
        {
            "id": uuid4(),
            "user_id": uuid4(),
            "user_photo_url": PNG,
            "user_message": "What goes with navy?",
            "ai_response": "Camel.",
            "extracted_prompt": "a navy blazer with camel trousers",
            "created_at": CREATED,
        }
    )
    body = api.AdvisorSession.from_row(row).model_dump(mode="json")
    assert set(body) == {"id", "userMessage", "aiResponse", "extractedPrompt", "userPhotoUrl", "createdAt"}
    assert body["userPhotoUrl"] is None


def test_advisor_generate_takes_only_the_modes_without_an_item_photo():
    assert api.AdvisorGenerateInput.model_validate({}).mode is None
    assert api.AdvisorGenerateInput.model_validate({"mode": "photo_text"}).mode == "photo_text"
    with pytest.raises(ValidationError):
        api.AdvisorGenerateInput.model_validate({"mode": "tryon"})


# --- Admin -------------------------------------------------------------------------------------------


def test_an_admin_user_patch_needs_a_role_or_a_plan_and_neither_may_be_null():
    assert api.AdminUserPatch.model_validate({"plan": "pro"}).changes() == {"plan": "pro"}
    for body in ({"role": None}, {"role": "owner"}, {"plan": "enterprise"}):
        with pytest.raises(ValidationError):
            api.AdminUserPatch.model_validate(body)


@pytest.mark.parametrize(
    ("delta", "accepted"),
    [(1, True), (-1, True), (1_000_000, True), (-1_000_000, True), (0, False), (1_000_001, False), ("5", False)],
)
def test_a_token_adjustment_is_nonzero_and_at_most_a_million(delta, accepted):
    body = {"delta": delta, "note": "goodwill"}
    if accepted:
        assert api.AdminTokenAdjustment.model_validate(body).delta == delta
    else:
        with pytest.raises(ValidationError):
            api.AdminTokenAdjustment.model_validate(body)


def test_a_token_adjustment_note_is_1_to_500_characters():
    with pytest.raises(ValidationError):
        api.AdminTokenAdjustment.model_validate({"delta": 5, "note": " "})
    with pytest.raises(ValidationError):
        api.AdminTokenAdjustment.model_validate({"delta": 5, "note": "n" * 501})


def test_admin_stats_are_camel_case_and_keep_the_enum_keys():
    stats = api.AdminStats(
        users=3,
        generations=api.GenerationStats(by_status={"completed": 4, "failed": 1}, by_mode={"from_prompt": 5}),
        tokens=api.TokenStats(spent=20, refunded=3),
    )
    assert stats.model_dump(mode="json") == {
        "users": 3,
        "generations": {"byStatus": {"completed": 4, "failed": 1}, "byMode": {"from_prompt": 5}},
        "tokens": {"spent": 20, "refunded": 3},
    }


def test_an_admin_user_query_treats_a_blank_search_as_none():
    assert api.AdminUserQuery.model_validate({"q": "   "}).q is None
    assert api.AdminUserQuery.model_validate({"q": " ada "}).q == "ada"
    assert api.AdminUserQuery.model_validate({}).limit == 20
    with pytest.raises(ValidationError):
        api.AdminUserQuery.model_validate({"q": "q" * 256})


def test_ids_are_uuids():
    with pytest.raises(ValidationError):
        api.SaveToWardrobeInput.model_validate({"collectionId": "42"})
    assert isinstance(api.SaveToWardrobeInput.model_validate({"collectionId": str(uuid4())}).collection_id, UUID)
