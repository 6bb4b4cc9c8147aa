"""Settings, one pydantic-settings model per concern, validated once per cold start and cached.

Code never reads ``os.environ`` directly: it asks for the settings it needs here.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    # Locally and in tests the URL comes straight from the environment; in AWS the template passes the name
    # of an SSM SecureString parameter instead, so the secret never sits in the function's configuration.
    database_url: str | None = None
    database_url_parameter: str | None = None
    db_connect_timeout_s: Annotated[int, Field(ge=1, le=30)] = 5
    db_connect_attempts: Annotated[int, Field(ge=1, le=10)] = 5
    db_connect_backoff_s: Annotated[float, Field(ge=0, le=5)] = 0.25
    # Set with SET LOCAL in each of the backend's transactions, never on the database or a pooled session.
    db_statement_timeout_ms: Annotated[int, Field(ge=100, le=600_000)] = 15_000
    db_idle_in_transaction_timeout_ms: Annotated[int, Field(ge=1000, le=600_000)] = 60_000


class PricingSettings(BaseSettings):
    """What things cost, in tokens, and how much a plan may run at once (shown by ``GET /pricing``)."""

    model_config = SettingsConfigDict(extra="ignore")

    cost_tryon: Annotated[int, Field(ge=0)] = 1
    cost_from_prompt: Annotated[int, Field(ge=0)] = 1
    cost_photo_text: Annotated[int, Field(ge=0)] = 1
    advisor_cost: Annotated[int, Field(ge=0)] = 0
    free_max_in_flight: Annotated[int, Field(ge=1)] = 2
    pro_max_in_flight: Annotated[int, Field(ge=1)] = 5
    signup_tokens: Annotated[int, Field(ge=0)] = 50
    admin_tokens: Annotated[int, Field(ge=0)] = 1000


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    app_version: str = "0.1.0"
    stage: str = "local"
    # Comma-separated in the environment: ADMIN_EMAILS=a@x.com,b@y.com
    admin_emails: Annotated[frozenset[str], NoDecode] = frozenset()
    # The web frontend's origins, comma-separated; the first is the default Access-Control-Allow-Origin.
    cors_allow_origins: Annotated[tuple[str, ...], NoDecode] = ("http://localhost:3000",)

    @field_validator("admin_emails", mode="before")
    @classmethod
    def _split_emails(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple | set | frozenset):
            return frozenset(str(e).strip().lower() for e in value if str(e).strip())
        return value

    @field_validator("cors_allow_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value


class IdentitySettings(BaseSettings):
    """Tokens, sessions and sign-in. Secrets come from Secrets Manager in AWS, from the environment locally."""

    model_config = SettingsConfigDict(extra="ignore")

    # JSON {"signingKid": "k2", "k2": "<secret>", "k1": "<older secret>"}: the named key signs, every listed
    # key verifies, so a key is rotated by adding a new one, switching signingKid, then dropping the old.
    jwt_keys: str | None = None
    jwt_keys_secret_id: str | None = None
    jwt_issuer: str = "https://api.imagify.app"
    jwt_audience: str = "imagify-web"
    access_token_ttl_s: Annotated[int, Field(ge=60, le=3600)] = 15 * 60
    jwt_leeway_s: Annotated[int, Field(ge=0, le=120)] = 30
    session_ttl_s: Annotated[int, Field(ge=3600)] = 30 * 24 * 3600
    # As Auth.js does: a session used more than this after its last extension gets a fresh expiry.
    session_update_age_s: Annotated[int, Field(ge=60)] = 24 * 3600
    login_max_failures: Annotated[int, Field(ge=1)] = 5
    login_failure_window_s: Annotated[int, Field(ge=60)] = 15 * 60
    email_verification_ttl_s: Annotated[int, Field(ge=60)] = 24 * 3600
    password_reset_ttl_s: Annotated[int, Field(ge=60)] = 3600
    # The hash a new password gets. "bcrypt" ($2b$) is what the frontend's bcryptjs verifies; "argon2id" only
    # where the backend is the only authenticator. Both verify whatever is chosen (imagify.identity.passwords).
    password_scheme: Literal["bcrypt", "argon2id"] = "bcrypt"  # noqa: S105 - a scheme's name, not a password
    # bcrypt's cost (2^n rounds), never below 12 (about 0.25 s a hash); each step doubles the time.
    bcrypt_rounds: Annotated[int, Field(ge=12, le=15)] = 12
    # JSON {"<provider>": {"issuers": [...], "jwksUri": "...", "audiences": [...]}}; Google is built in and
    # needs only GOOGLE_CLIENT_ID (comma-separated client ids accepted as the ID token's audience).
    oidc_providers: str | None = None
    google_client_id: str | None = None
    # Where the links in emails point: the web frontend's pages that call /auth/*/confirm.
    app_base_url: str = "http://localhost:3000"
    email_from: str = "Imagify <no-reply@imagify.app>"
    # "ses" sends through SES v2; "log" writes the message (with its link) to the log, for the local stack.
    email_delivery: Literal["ses", "log"] = "ses"


class StorageSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    uploads_bucket: str = "imagify-uploads"
    upload_ttl_s: Annotated[int, Field(ge=60, le=24 * 3600)] = 3600
    upload_post_ttl_s: Annotated[int, Field(ge=30, le=3600)] = 300
    # Set only by the local stack, so an upload URL points at its own S3 endpoint.
    s3_public_endpoint: str | None = None


class AiSettings(BaseSettings):
    """The image model (Gemini) and the advisor model (Bedrock)."""

    model_config = SettingsConfigDict(extra="ignore")

    # "offline" draws a deterministic preview without any model; only the local stack selects it.
    image_provider: Literal["gemini", "offline"] = "gemini"
    # A model id of the Gemini API, set here and in template.yaml (GeminiModel) only: code never names one.
    # Models are shut down on dates listed at https://ai.google.dev/gemini-api/docs/deprecations; a retired
    # one answers 404, and generations then fail as ImageModelMisconfigured (refunded).
    gemini_model: str = "gemini-3.1-flash-image"
    gemini_api_key: str | None = None
    gemini_api_key_secret_id: str | None = None
    # Tests point the real SDK at a local fake server here.
    gemini_base_url: str | None = None
    gemini_timeout_s: Annotated[float, Field(gt=0, le=300)] = 90
    input_longest_edge: Annotated[int, Field(ge=256, le=4096)] = 1536
    # The advisor: a LLaMA model with image input, through Bedrock's Converse API. The endpoint follows
    # boto3's own AWS_ENDPOINT_URL_BEDROCK_RUNTIME (tests point it at a local fake).
    advisor_provider: Literal["bedrock", "offline"] = "bedrock"
    # Its lifecycle (Active, Legacy, EOL): https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html
    bedrock_model_id: str = "us.meta.llama4-maverick-17b-instruct-v1:0"
    bedrock_timeout_s: Annotated[float, Field(gt=0, le=300)] = 60
    # Only for the local stack calling the real Bedrock: the AWS profile whose credentials it uses (the
    # other clients there talk to moto with test credentials). In Lambda the function's role is used.
    bedrock_aws_profile: str | None = None
    advisor_max_tokens: Annotated[int, Field(ge=64, le=8192)] = 1200


class FlowSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    state_machine_arn: str | None = None


class CleanupSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    # A generation still pending/processing after this long, whose execution is no longer running, is stuck.
    stuck_generation_age_s: Annotated[int, Field(ge=60)] = 30 * 60
    cleanup_batch_size: Annotated[int, Field(ge=1, le=10_000)] = 500
    # Bounds one run's work, so a huge backlog is worked off over several runs, never in one long lock.
    cleanup_max_batches: Annotated[int, Field(ge=1, le=1000)] = 20
    idempotency_ttl_s: Annotated[int, Field(ge=3600)] = 24 * 3600


@cache
def cleanup_settings() -> CleanupSettings:
    return CleanupSettings()


@cache
def flow_settings() -> FlowSettings:
    return FlowSettings()


@cache
def ai_settings() -> AiSettings:
    return AiSettings()


@cache
def storage_settings() -> StorageSettings:
    return StorageSettings()


@cache
def identity_settings() -> IdentitySettings:
    return IdentitySettings()


@cache
def database_settings() -> DatabaseSettings:
    return DatabaseSettings()


@cache
def pricing_settings() -> PricingSettings:
    return PricingSettings()


@cache
def app_settings() -> AppSettings:
    return AppSettings()
