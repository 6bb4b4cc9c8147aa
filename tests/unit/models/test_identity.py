"""Identity and the caller's own profile."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import ValidationError

from imagify.models.admin import AdminUserPatch
from imagify.models.identity import (
    LoginInput,
    MeDeleteInput,
    MePatchInput,
    PasswordResetConfirmInput,
    PasswordResetRequestInput,
    RefreshInput,
    RegisterInput,
    TokenTransaction,
    VerifyEmailConfirmInput,
)
from imagify.models.wardrobe import CollectionPatch, WardrobeItemPatch
from tests.unit.models.support import CREATED, PNG, error_types


def test_a_registration_email_is_trimmed_and_keeps_its_case():
    # Given an email typed with spaces and capitals
    # When the registration is validated
    body = RegisterInput.model_validate({"email": "  Ada.Lovelace@Example.COM ", "password": "correct horse"})

    # Then it is trimmed, and kept as typed (lookups ignore the case; the frontend's adapter does not)
    assert body.email == "Ada.Lovelace@Example.COM"
    assert body.name is None


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (LoginInput, {"email": " ADA@Example.com", "password": "x"}),
        (PasswordResetRequestInput, {"email": "Ada@EXAMPLE.com "}),
        (VerifyEmailConfirmInput, {"email": "ADA@EXAMPLE.COM", "token": "t"}),
        (PasswordResetConfirmInput, {"email": " ada@example.COM", "token": "t", "newPassword": "12345678"}),
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
        RegisterInput.model_validate({"email": email, "password": "correct horse"})
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
    for model, data in ((RegisterInput, body), (PasswordResetConfirmInput, reset)):
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
        assert LoginInput.model_validate(body).password == password
    else:
        with pytest.raises(ValidationError):
            LoginInput.model_validate(body)


def test_passwords_and_tokens_stay_out_of_reprs():
    # Given inputs holding secrets
    login = LoginInput.model_validate({"email": "ada@example.com", "password": "hunter2hunter2"})
    refresh = RefreshInput.model_validate({"sessionToken": "s3cr3t-session"})

    # When they are logged (repr)
    # Then the secrets are not in the text
    assert "hunter2" not in repr(login)
    assert "s3cr3t" not in repr(refresh)


def test_a_registration_name_is_trimmed_and_not_blank():
    assert RegisterInput.model_validate({"email": "a@b.co", "password": "12345678", "name": " Ada "}).name == "Ada"
    with pytest.raises(ValidationError):
        RegisterInput.model_validate({"email": "a@b.co", "password": "12345678", "name": "   "})


def test_a_me_patch_tells_a_missing_field_from_an_explicit_null():
    # Given a patch that clears the image and leaves the name alone
    patch = MePatchInput.model_validate({"image": None})

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
        assert MePatchInput.model_validate({"image": image}).image == image
    else:
        with pytest.raises(ValidationError):
            MePatchInput.model_validate({"image": image})


def test_an_empty_patch_is_refused():
    # Given a PATCH body that changes nothing
    # When it is validated
    # Then it is refused
    for model in (MePatchInput, WardrobeItemPatch, CollectionPatch, AdminUserPatch):
        with pytest.raises(ValidationError) as caught:
            model.model_validate({})
        assert error_types(caught.value) == [((), "empty_patch")]


def test_deleting_me_may_carry_a_password():
    assert MeDeleteInput.model_validate({}).password is None
    assert MeDeleteInput.model_validate({"password": "x"}).password == "x"
    with pytest.raises(ValidationError):
        MeDeleteInput.model_validate({"password": ""})


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
    body = TokenTransaction.model_validate(row).model_dump(mode="json")

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
