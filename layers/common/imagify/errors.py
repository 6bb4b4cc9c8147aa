"""Domain exceptions: what went wrong, in the domain's words. They know nothing of HTTP.

Each carries a stable snake_case ``code`` (the contract's error code); ``imagify.web`` maps codes to
statuses, in one place.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "error"
    default_message: ClassVar[str] = "the request could not be completed"

    def __init__(self, message: str | None = None, *, details: list[dict[str, Any]] | None = None) -> None:
        self.message = message or self.default_message
        self.details = details or []
        super().__init__(self.message)


class InvalidInput(DomainError):
    code = "validation_error"
    default_message = "the request is not valid"


class Unauthorized(DomainError):
    code = "unauthorized"
    default_message = "a valid token is required"


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    default_message = "the email or password is not correct"


class Forbidden(DomainError):
    code = "forbidden"
    default_message = "you are not allowed to do this"


class NotFound(DomainError):
    code = "not_found"
    default_message = "not found"


class Conflict(DomainError):
    code = "conflict"
    default_message = "the resource is not in a state that allows this"


class InvalidTransition(Conflict):
    """A status change the state machine does not allow (e.g. cancelling a completed generation)."""


class StoredImageUnreadable(DomainError):
    """A row's image that is not a readable PNG, JPEG or WebP (the shared database has other writers)."""

    code = "stored_image_unreadable"
    default_message = "the stored image is unreadable: it is not a PNG, JPEG or WebP image"


class EmailTaken(DomainError):
    code = "email_taken"
    default_message = "an account with this email already exists"


class InsufficientTokens(DomainError):
    code = "insufficient_tokens"
    default_message = "not enough tokens"


class Throttled(DomainError):
    """Base for the answers that tell the caller to come back later."""

    code = "rate_limited"
    default_message = "too many requests, try again later"

    def __init__(self, message: str | None = None, *, retry_after_s: int = 1) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class RateLimited(Throttled):
    pass


class TooManyInFlight(Throttled):
    code = "too_many_in_flight"
    default_message = "too many generations are running; wait for one to finish"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    default_message = "the payload is too large"


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    default_message = "this media type is not supported"


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    default_message = "this Idempotency-Key was used with a different request"


class IdempotencyKeyInFlight(Conflict):
    """The first request with this Idempotency-Key is still being answered: retry in a moment."""

    default_message = "a request with this Idempotency-Key is still being answered; retry in a moment"
    retry_after_s: ClassVar[int] = 1


class ServiceUnavailable(DomainError):
    code = "service_unavailable"
    default_message = "a service this request needs is unavailable; try again shortly"
