"""Settings validation: each concern's model refuses a bad value at cold start, naming the variable."""

from __future__ import annotations

import pydantic
import pytest

from imagify import settings

BAD_VALUES = [
    (settings.DatabaseSettings, "DB_CONNECT_TIMEOUT_S", "0"),
    (settings.DatabaseSettings, "DB_STATEMENT_TIMEOUT_MS", "soon"),
    (settings.PricingSettings, "COST_TRYON", "-1"),
    (settings.PricingSettings, "FREE_MAX_IN_FLIGHT", "0"),
    (settings.IdentitySettings, "ACCESS_TOKEN_TTL_S", "30"),
    (settings.IdentitySettings, "BCRYPT_ROUNDS", "16"),
    (settings.IdentitySettings, "PASSWORD_SCHEME", "md5"),
    (settings.IdentitySettings, "EMAIL_DELIVERY", "smtp"),
    (settings.StorageSettings, "UPLOAD_TTL_S", "10"),
    (settings.AiSettings, "IMAGE_PROVIDER", "dall-e"),
    (settings.AiSettings, "GEMINI_TIMEOUT_S", "0"),
    (settings.AiSettings, "INPUT_LONGEST_EDGE", "100"),
    (settings.AiSettings, "ADVISOR_PROVIDER", "openai"),
    (settings.CleanupSettings, "CLEANUP_BATCH_SIZE", "0"),
    (settings.CleanupSettings, "IDEMPOTENCY_TTL_S", "60"),
]


@pytest.mark.parametrize(("model", "variable", "value"), BAD_VALUES, ids=[f"{v}={x}" for _, v, x in BAD_VALUES])
def test_a_bad_value_is_refused_with_the_variable_named(
    model: type[settings.Settings], variable: str, value: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(variable, value)

    with pytest.raises(pydantic.ValidationError) as refused:
        model()

    assert [error["loc"] for error in refused.value.errors()] == [(variable.lower(),)]


def test_bcrypt_rounds_below_12_is_not_a_valid_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BCRYPT_ROUNDS", "11")
    with pytest.raises(pydantic.ValidationError):
        settings.IdentitySettings()
    monkeypatch.setenv("PASSWORD_SCHEME", "scrypt")
    monkeypatch.setenv("BCRYPT_ROUNDS", "12")
    with pytest.raises(pydantic.ValidationError):
        settings.IdentitySettings()


def test_admin_emails_are_split_trimmed_and_lower_cased(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADMIN_EMAILS", " Boss@Example.com ,, other@example.com,")

    assert settings.AppSettings().admin_emails == frozenset({"boss@example.com", "other@example.com"})


def test_cors_origins_keep_their_order_the_first_being_the_default(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://imagify.app, https://staging.imagify.app ,")

    assert settings.AppSettings().cors_allow_origins == ("https://imagify.app", "https://staging.imagify.app")


def test_a_variable_of_another_concern_is_ignored(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GEMINI_MODEL", "gemini-x")
    monkeypatch.setenv("BCRYPT_ROUNDS", "13")

    assert settings.IdentitySettings().bcrypt_rounds == 13
    assert not hasattr(settings.IdentitySettings(), "gemini_model")


def test_a_variable_is_read_in_any_case_and_what_code_passes_comes_first(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("bcrypt_rounds", "14")
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "7")
    monkeypatch.delenv("PASSWORD_SCHEME", raising=False)

    assert settings.IdentitySettings().bcrypt_rounds == 14
    assert settings.IdentitySettings(login_max_failures=3).login_max_failures == 3
    read = settings.IdentitySettings().model_fields_set
    assert {"bcrypt_rounds", "login_max_failures"} <= read and "password_scheme" not in read
