"""Webhooks (``/webhooks``): endpoints, their secrets and their delivery log."""

from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import AfterValidator, Field, StringConstraints

from imagify.models.common import ApiInput, ApiModel, example
from imagify.models.fields import PatchInput, UtcDatetime, WebhookUrl

CHANNEL_PATTERN = r"^(default|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
"""A webhook endpoint's id, or ``default``: the account's own channel (its secret signs, and its log lists, the
deliveries to one-off URLs)."""

EventType = Literal["generation.completed", "generation.failed", "batch.completed"]


def _each_once(events: list[str]) -> list[str]:
    if len(set(events)) != len(events):
        raise ValueError("name each event once")
    return events


Events = Annotated[
    list[EventType],
    Field(min_length=1, max_length=3, description="the events to deliver, each named once"),
    AfterValidator(_each_once),
]
WebhookDescription = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    Field(description="a note for its owner, 1 to 255 characters after trimming"),
]
Secret = Annotated[
    str,
    Field(
        description="the signing secret (`whsec_` and base64), shown only now: verify each delivery's "
        "`webhook-signature` with it (Standard Webhooks)",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    ),
]


class WebhookInput(ApiInput):
    model_config = example({"url": "https://hooks.example.com/imagify", "events": ["generation.completed"]})

    url: WebhookUrl
    events: Events
    description: WebhookDescription | None = None


class WebhookPatch(PatchInput):
    """Only the fields sent change; `description: null` clears it. Enabling an endpoint we disabled after its
    deliveries failed for days starts its deliveries again (for new events; redeliver the old ones)."""

    model_config = example({"enabled": False})

    NOT_NULLABLE: ClassVar[frozenset[str]] = frozenset({"url", "events", "enabled"})

    url: WebhookUrl | None = None
    events: Events | None = None
    enabled: bool | None = None
    description: WebhookDescription | None = None


class Webhook(ApiModel):
    id: UUID
    url: str
    events: list[str]
    description: str | None
    enabled: bool
    disabled_reason: Annotated[
        Literal["failing", "owner"] | None,
        Field(description="`failing`: disabled by us after its deliveries failed for days; `owner`: by you"),
    ] = None
    failing_since: Annotated[
        UtcDatetime | None, Field(description="since when every delivery to it has failed; null when it works")
    ] = None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class WebhookWithSecret(Webhook):
    secret: Secret


class SigningSecret(ApiModel):
    """A new secret; the one it replaces keeps signing (a second signature) until `previousSecretExpiresAt`."""

    id: Annotated[str, Field(description="the endpoint's id, or `default` (the account's, for one-off URLs)")]
    secret: Secret
    previous_secret_expires_at: UtcDatetime | None


class Delivery(ApiModel):
    id: UUID
    event_id: Annotated[UUID, Field(description="the `webhook-id` every attempt sends (de-duplicate by it)")]
    event_type: EventType
    subject_id: Annotated[UUID, Field(description="the generation, or the batch, the event is about")]
    url: Annotated[str, Field(description="where it is sent: the endpoint's URL (as it is now), or the one-off URL")]
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    last_status_code: Annotated[int | None, Field(description="the receiver's last HTTP status, if it answered")]
    last_error: Annotated[str | None, Field(description="why the last attempt failed, in our words")]
    next_attempt_at: Annotated[UtcDatetime | None, Field(description="when it is tried next, while pending")]
    delivered_at: UtcDatetime | None
    created_at: UtcDatetime
