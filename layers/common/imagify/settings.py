"""Settings, one pydantic model per concern, read from the environment, validated once per cold start and cached.

Code never reads ``os.environ`` directly: it asks for the settings it needs here. A field is read from the
variable of its name in any case (``bcrypt_rounds`` from ``BCRYPT_ROUNDS``), as a string that pydantic then
validates; what code passes when it makes the model (tests) comes before the environment. This is what
pydantic-settings does for us with none of its sources (dotenv, CLI, cloud secrets, JSON-decoded lists), at a
small part of its import time, which every function pays at each cold start (docs/performance.md).

Each function declares, at the top of its ``app.py``, the settings whose variables the template gives it
(``require(DatabaseSettings, CorsSettings)``); they are validated when the module is imported, so a bad or
missing value fails the cold start, naming the variable, instead of the first request that reads it.
"""

import os
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from imagify.clients import from_environment


def _comma_separated(value: object) -> object:
    """A variable's ``a, b,c`` as a tuple of its non-blank parts (a tuple given in code as it is)."""
    return tuple(part.strip() for part in value.split(",") if part.strip()) if isinstance(value, str) else value


# A list setting, read from one comma-separated variable.
CommaSeparated = BeforeValidator(_comma_separated)
ImageSizes = Annotated[tuple[Literal["1K", "2K", "4K"], ...], CommaSeparated]


class FromEnvironment(BaseModel):
    """A model whose fields are read from the environment, each from the variable of its name (any case)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _read_environment(cls, given: Any) -> Any:
        variables = {name.lower(): value for name, value in os.environ.items()}
        found = {name: variables[name] for name in cls.model_fields if name in variables}
        return {**found, **given} if isinstance(given, Mapping) else given


class Settings(FromEnvironment):
    """A group of settings. ``from_template`` names the variables template.yaml gives every function that
    needs the group, each with the variable that may stand in for it (the value itself rather than where a
    secret is kept: locally and in tests); every other field is a tuning knob with a default."""

    from_template: ClassVar[Mapping[str, str | None]] = {}


class DatabaseSettings(Settings):
    from_template = {"DATABASE_URL_PARAMETER": "DATABASE_URL"}

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


class AdvisorCostSettings(Settings):
    """The one price the template sets (``AdvisorCost``): what an advisor answer costs, in tokens."""

    from_template = {"ADVISOR_COST": None}

    advisor_cost: Annotated[int, Field(ge=0)] = 0


class PricingSettings(AdvisorCostSettings):
    """What things cost, in tokens, and how much a plan may run at once (shown by ``GET /pricing``)."""

    from_template = AdvisorCostSettings.from_template

    cost_tryon: Annotated[int, Field(ge=0)] = 1
    cost_from_prompt: Annotated[int, Field(ge=0)] = 1
    cost_photo_text: Annotated[int, Field(ge=0)] = 1
    # What the high tier (the Pro model) and the larger sizes add to a mode's cost.
    cost_high_extra: Annotated[int, Field(ge=0)] = 2
    cost_2k_extra: Annotated[int, Field(ge=0)] = 0
    cost_4k_extra: Annotated[int, Field(ge=0)] = 1
    # The sizes each tier's model is asked for (both models take 1K, 2K and 4K: narrow a tier here).
    standard_image_sizes: ImageSizes = ("1K", "2K", "4K")
    high_image_sizes: ImageSizes = ("1K", "2K", "4K")
    free_max_in_flight: Annotated[int, Field(ge=1)] = 2
    pro_max_in_flight: Annotated[int, Field(ge=1)] = 5
    signup_tokens: Annotated[int, Field(ge=0)] = 50
    admin_tokens: Annotated[int, Field(ge=0)] = 1000


class CorsSettings(Settings):
    """What every HTTP function answers browsers with."""

    from_template = {"CORS_ALLOW_ORIGINS": None}

    # The web frontend's origins, comma-separated; the first is the default Access-Control-Allow-Origin.
    cors_allow_origins: Annotated[tuple[str, ...], CommaSeparated] = ("http://localhost:3000",)


class SignupSettings(Settings):
    """Who signs up as an admin (by email or through an OIDC provider)."""

    from_template = {"ADMIN_EMAILS": None}

    # Comma-separated in the environment: ADMIN_EMAILS=a@x.com,b@y.com
    admin_emails: frozenset[str] = frozenset()

    @field_validator("admin_emails", mode="before")
    @classmethod
    def _split_emails(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple | set | frozenset):
            return frozenset(str(e).strip().lower() for e in value if str(e).strip())
        return value


class AppSettings(CorsSettings, SignupSettings):
    from_template = {**CorsSettings.from_template, **SignupSettings.from_template}

    app_version: str = "0.1.0"
    # Every function gets STAGE from the template's Globals.
    stage: str = "local"


class TokenSettings(Settings):
    """Access tokens (JWTs): what signs them and what they say. The keys come from Secrets Manager in AWS."""

    from_template = {"JWT_KEYS_SECRET_ID": "JWT_KEYS", "JWT_ISSUER": None}

    # JSON {"signingKid": "k2", "k2": "<secret>", "k1": "<older secret>"}: the named key signs, every listed
    # key verifies, so a key is rotated by adding a new one, switching signingKid, then dropping the old.
    jwt_keys: str | None = None
    jwt_keys_secret_id: str | None = None
    jwt_issuer: str = "https://api.imagify.app"
    jwt_audience: str = "imagify-web"
    access_token_ttl_s: Annotated[int, Field(ge=60, le=3600)] = 15 * 60
    jwt_leeway_s: Annotated[int, Field(ge=0, le=120)] = 30


class OidcSettings(Settings):
    """Sign-in with an OIDC provider's ID token."""

    from_template = {"GOOGLE_CLIENT_ID": None, "OIDC_PROVIDERS": None}

    # JSON {"<provider>": {"issuers": [...], "jwksUri": "...", "audiences": [...]}}; Google is built in and
    # needs only GOOGLE_CLIENT_ID (comma-separated client ids accepted as the ID token's audience).
    oidc_providers: str | None = None
    google_client_id: str | None = None


class EmailSettings(Settings):
    """The mail a function sends (verification and password-reset links)."""

    from_template = {"APP_BASE_URL": None, "EMAIL_FROM": None}

    # Where the links in emails point: the web frontend's pages that call /auth/*/confirm.
    app_base_url: str = "http://localhost:3000"
    email_from: str = "Imagify <no-reply@imagify.app>"
    # "ses" sends through SES v2; "log" writes the message (with its link) to the log, for the local stack.
    email_delivery: Literal["ses", "log"] = "ses"


class IdentitySettings(TokenSettings, OidcSettings, EmailSettings):
    """Tokens, sessions and sign-in: the groups above, and the limits no template variable sets."""

    from_template = {**TokenSettings.from_template, **OidcSettings.from_template, **EmailSettings.from_template}

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


class StorageSettings(Settings):
    from_template = {"UPLOADS_BUCKET": None}

    uploads_bucket: str = "imagify-uploads"
    upload_ttl_s: Annotated[int, Field(ge=60, le=24 * 3600)] = 3600
    upload_post_ttl_s: Annotated[int, Field(ge=30, le=3600)] = 300
    # Set only by the local stack, so an upload URL points at its own S3 endpoint.
    s3_public_endpoint: str | None = None


class GeminiSettings(Settings):
    """The image model, through the Gemini API. The key comes from Secrets Manager in AWS."""

    from_template = {
        "GEMINI_MODEL": None,
        "GEMINI_PRO_MODEL": None,
        "GEMINI_API_KEY_SECRET_ID": "GEMINI_API_KEY",
    }

    # Model ids of the Gemini API, set here and in template.yaml (GeminiModel, GeminiProModel) only: code never
    # names one. The standard tier runs the Flash model, the high tier the Pro model. Models are shut down on
    # dates listed at https://ai.google.dev/gemini-api/docs/deprecations; a retired one answers 404, and
    # generations then fail as ImageModelMisconfigured (refunded).
    gemini_model: str = "gemini-3.1-flash-image"
    gemini_pro_model: str = "gemini-3-pro-image"
    gemini_api_key: str | None = None
    gemini_api_key_secret_id: str | None = None
    # Tests point the real SDK at a local fake server here.
    gemini_base_url: str | None = None
    gemini_timeout_s: Annotated[float, Field(gt=0, le=300)] = 90


class BedrockSettings(Settings):
    """The advisor model: a LLaMA model with image input, through Bedrock's Converse API. The endpoint follows
    boto3's own AWS_ENDPOINT_URL_BEDROCK_RUNTIME (tests point it at a local fake)."""

    from_template = {"BEDROCK_MODEL_ID": None}

    # Its lifecycle (Active, Legacy, EOL): https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html
    bedrock_model_id: str = "us.meta.llama4-maverick-17b-instruct-v1:0"
    bedrock_timeout_s: Annotated[float, Field(gt=0, le=300)] = 60
    # Only for the local stack calling the real Bedrock: the AWS profile whose credentials it uses (the
    # other clients there talk to moto with test credentials). In Lambda the function's role is used.
    bedrock_aws_profile: str | None = None
    advisor_max_tokens: Annotated[int, Field(ge=64, le=8192)] = 1200


class AiSettings(GeminiSettings, BedrockSettings):
    """The image model (Gemini) and the advisor model (Bedrock), and which of them runs."""

    from_template = {**GeminiSettings.from_template, **BedrockSettings.from_template}

    # "offline" draws a deterministic preview without any model; only the local stack selects it.
    image_provider: Literal["gemini", "offline"] = "gemini"
    input_longest_edge: Annotated[int, Field(ge=256, le=4096)] = 1536
    advisor_provider: Literal["bedrock", "offline"] = "bedrock"


class FlowSettings(Settings):
    """The generation state machine, which API functions start and stop and the cleanup looks at."""

    from_template = {"STATE_MACHINE_ARN": None}

    state_machine_arn: str | None = None


class WebhookSettings(Settings):
    """Webhooks: the state machine that delivers each one, and how it retries."""

    from_template = {"WEBHOOK_STATE_MACHINE_ARN": None}

    webhook_state_machine_arn: str | None = None
    # Seconds before each retry (jittered by +-20 %); past the list, its last. Retried until webhook_retry_for_s
    # after the first attempt; an endpoint whose deliveries have all failed for webhook_disable_after_s is disabled.
    webhook_retry_schedule_s: Annotated[tuple[Annotated[float, Field(gt=0, le=86400)], ...], CommaSeparated] = (
        5,
        30,
        120,
        600,
        1800,
        3600,
    )
    webhook_retry_for_s: Annotated[float, Field(gt=0, le=7 * 86400)] = 86400
    webhook_disable_after_s: Annotated[float, Field(gt=0)] = 3 * 86400
    webhook_timeout_s: Annotated[float, Field(gt=0, le=30)] = 10
    webhook_max_endpoints: Annotated[int, Field(ge=1, le=100)] = 10
    # The old secret of a rotated one keeps signing this long.
    webhook_rotation_overlap_s: Annotated[int, Field(ge=0)] = 24 * 3600
    # Only the local stack sets it: plain http to a loopback receiver (AWS delivers to public https only).
    webhook_allow_loopback_http: bool = False


class CleanupSettings(Settings):
    # A generation still pending/processing after this long, whose execution is no longer running, is stuck.
    stuck_generation_age_s: Annotated[int, Field(ge=60)] = 30 * 60
    cleanup_batch_size: Annotated[int, Field(ge=1, le=10_000)] = 500
    # Bounds one run's work, so a huge backlog is worked off over several runs, never in one long lock.
    cleanup_max_batches: Annotated[int, Field(ge=1, le=1000)] = 20
    idempotency_ttl_s: Annotated[int, Field(ge=3600)] = 24 * 3600
    # Webhook events and their deliveries are kept this long (the delivery log shows them).
    webhook_retention_s: Annotated[int, Field(ge=3600)] = 30 * 24 * 3600


# -- what a function needs, checked at cold start -------------------------------------------------------


class SettingsError(Exception):
    """A function's settings are missing or not valid; raised when its module is imported (cold start)."""


class _Lambda(FromEnvironment):
    # Set by Lambda's runtime in every execution environment; never locally or in tests.
    aws_lambda_function_name: str | None = None


def _problems(needed: type[Settings], *, deployed: bool) -> list[str]:
    """What is wrong with one group's variables: each invalid value, and (``deployed``) each variable the
    template gives for the group that is not set, neither it nor its stand-in."""
    try:
        found = needed()
    except ValidationError as error:
        return [f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors()]
    if not deployed:
        return []
    return [
        f"{name} is not set" + (f" (nor {stand_in})" if stand_in else "")
        for name, stand_in in needed.from_template.items()
        if not {name.lower(), (stand_in or name).lower()} & found.model_fields_set
    ]


_required: set[type[Settings]] = set()


def required(group: type[Settings]) -> bool:
    """Whether this function's ``require(...)`` named ``group`` (or a group made of it)."""
    return any(issubclass(named, group) for named in _required)


def require(*needed: type[Settings]) -> None:
    """Validate the settings a function needs when its module is imported: ``require(DatabaseSettings,
    CorsSettings)`` at the top of its ``app.py``. A value that is not valid fails the cold start, naming its
    variable; in Lambda, so does a variable the template should give and did not (locally and in tests the
    default applies). Nothing here calls AWS: a secret or a parameter is fetched on first use."""
    function = _Lambda().aws_lambda_function_name
    _required.update(needed)
    found = [problem for group in needed for problem in _problems(group, deployed=function is not None)]
    if found:
        raise SettingsError(f"{function or 'this function'}'s settings: " + "; ".join(found))


@from_environment
def cleanup_settings() -> CleanupSettings:
    return CleanupSettings()


@from_environment
def flow_settings() -> FlowSettings:
    return FlowSettings()


@from_environment
def ai_settings() -> AiSettings:
    return AiSettings()


@from_environment
def storage_settings() -> StorageSettings:
    return StorageSettings()


@from_environment
def identity_settings() -> IdentitySettings:
    return IdentitySettings()


@from_environment
def database_settings() -> DatabaseSettings:
    return DatabaseSettings()


@from_environment
def pricing_settings() -> PricingSettings:
    return PricingSettings()


@from_environment
def webhook_settings() -> WebhookSettings:
    return WebhookSettings()


@from_environment
def app_settings() -> AppSettings:
    return AppSettings()
