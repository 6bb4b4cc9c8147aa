"""What a user can do with generations: start one, read them, fetch an image, cancel, delete."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from imagify import db, idempotency, media, observability, uploads
from imagify.billing import ledger
from imagify.billing.prices import cost_of, max_in_flight, sizes_of
from imagify.clock import utcnow
from imagify.errors import (
    InsufficientTokens,
    InvalidInput,
    InvalidTransition,
    NotFound,
    ServiceUnavailable,
    TooManyInFlight,
)
from imagify.generations import execution, inputs, instructions, queries
from imagify.identity.principal import Principal
from imagify.observability import logger
from imagify.settings import storage_settings

OPERATION = "generations.create"
RERUN = "generations.rerun"
CANCELLED = "cancelled by the user; the tokens were refunded"


@dataclass(frozen=True)
class Options:
    aspect_ratio: str | None = None
    image_size: str | None = None
    style: str | None = None


@dataclass(frozen=True)
class Request:
    """A generation asked for, as the API model (``GenerationInput``) validated it."""

    mode: str
    prompt: str | None = None
    user_photo_url: str | None = None
    item_photo_url: str | None = None
    options: Options | None = None
    quality: str = "standard"
    deadline_s: int | None = None

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Request:
        """From the request's validated JSON body (camelCase, as sent)."""
        options = body.get("options")
        return cls(
            mode=body["mode"],
            prompt=body.get("prompt"),
            user_photo_url=body.get("userPhotoUrl"),
            item_photo_url=body.get("itemPhotoUrl"),
            options=None
            if options is None
            else Options(options.get("aspectRatio"), options.get("imageSize"), options.get("style")),
            quality=body.get("quality") or "standard",
            deadline_s=body.get("deadlineSeconds"),
        )

    def body(self) -> dict[str, Any]:
        """The JSON body again, all its fields (the ``Idempotency-Key``'s hash covers it)."""
        options = self.options
        return {
            "mode": self.mode,
            "prompt": self.prompt,
            "userPhotoUrl": self.user_photo_url,
            "itemPhotoUrl": self.item_photo_url,
            "options": None
            if options is None
            else {"aspectRatio": options.aspect_ratio, "imageSize": options.image_size, "style": options.style},
            "quality": self.quality,
            "deadlineSeconds": self.deadline_s,
        }


@dataclass(frozen=True)
class Started:
    """A generation just started (or found again under its key), and the caller's balance after its charge."""

    generation: queries.Detail
    balance_after: int


def create(
    caller: Principal,
    request: Request,
    idempotency_key: str | None = None,
    *,
    operation: str = OPERATION,
    s3: Any | None = None,
    sfn: Any | None = None,
) -> idempotency.Done[Started] | idempotency.Replay:
    """Charge, record and start a generation; its execution does the rest. Gives the generation started,
    or the first answer to ``idempotency_key`` (under ``operation``)."""
    options = request.options or Options()
    if options.image_size is not None and options.image_size not in sizes_of(request.quality):
        supported = sizes_of(request.quality)
        raise InvalidInput(
            f"imageSize {options.image_size} is not available at quality {request.quality}; "
            f"it takes {', '.join(supported)}",
            details=[{"field": "options.imageSize", "quality": request.quality, "supported": list(supported)}],
        )
    # Photos are checked before anything is charged: a bad input costs nothing. An upload is kept as a presigned
    # GET URL (what the frontend, which shares the table, can show while the upload lives); inline data as sent.
    user_photo, item_photo = (
        inputs.accepted(caller.user_id, value, field=field, s3=s3)[1] if value is not None else None
        for field, value in (("userPhotoUrl", request.user_photo_url), ("itemPhotoUrl", request.item_photo_url))
    )
    instruction = instructions.instruction(
        request.mode, request.prompt, aspect_ratio=options.aspect_ratio, style=options.style
    )
    with (
        db.transaction() as conn,
        idempotency.once(conn, caller.user_id, operation, idempotency_key, request.body()) as attempt,
    ):
        if attempt.replay:
            return attempt.replay
        if attempt.made:  # the first request started its generation and then crashed before answering
            found = queries.detail(conn, attempt.made, caller.user_id)
            if found is None:
                raise NotFound("the generation this Idempotency-Key started has been deleted")
            return attempt.done(Started(found, ledger.balance(conn, caller.user_id)))
        # The user's row lock orders this user's requests, so the in-flight count and the charge agree.
        balance = conn.execute("SELECT tokens FROM users WHERE id = %s FOR UPDATE", (caller.user_id,)).fetchone()
        if balance is None:
            raise NotFound("user not found")
        cost = cost_of(request.mode, request.quality, options.image_size)
        if balance["tokens"] < cost:
            raise InsufficientTokens(
                f"this needs {cost} tokens and the balance is {balance['tokens']}",
                details=[{"required": cost, "balance": balance["tokens"]}],
            )
        limit = max_in_flight(caller.plan)
        if queries.in_flight(conn, caller.user_id) >= limit:
            raise TooManyInFlight(f"at most {limit} generations may run at once on your plan", retry_after_s=10)
        generation_id = queries.insert_pending(
            conn,
            caller.user_id,
            mode=request.mode,
            prompt=request.prompt,
            user_photo_url=user_photo,
            item_photo_url=item_photo,
            instruction=instruction,
        )
        queries.save_options(
            conn,
            generation_id,
            request.quality,
            options.aspect_ratio,
            options.image_size,
            options.style,
            request.deadline_s,
        )
        charge = ledger.charge_generation(conn, caller.user_id, generation_id, cost)
        attempt.link(generation_id)
    try:
        execution.start(generation_id, client=sfn)
    except execution.StartFailed as error:
        with db.transaction() as conn:
            queries.fail(
                conn,
                generation_id,
                "the generation could not be started; the tokens were refunded",
                "internal",
                retryable=True,
            )
            refund = ledger.refund_generation(conn, generation_id, note="could not start")
            # The 503 invites a retry: free the key, so the retry starts a generation of its own.
            attempt.forget(conn)
        observability.count("GenerationsFailed", mode=request.mode, reason="start_failed")
        observability.refunded(refund, "start_failed")
        raise ServiceUnavailable("the generation could not be started; your tokens were refunded") from error
    logger.info("generation started", extra={"generation_id": str(generation_id), "mode": request.mode})
    observability.count("GenerationsStarted", mode=request.mode)
    observability.count("TokensCharged", -charge.delta, mode=request.mode)
    found = queries.read_detail(generation_id)
    assert found is not None
    return attempt.done(Started(found, charge.balance_after))


def rerun(
    caller: Principal,
    generation_id: UUID,
    quality: str | None = None,
    options: Options | None = None,
    idempotency_key: str | None = None,
    *,
    s3: Any | None = None,
    sfn: Any | None = None,
) -> idempotency.Done[Started] | idempotency.Replay:
    """Start a new generation with the inputs of one of the caller's (its mode, prompt, photos, quality and
    options), the ``quality`` and each option given replacing the original's; charged as a new generation."""
    row, extras = get(caller, generation_id)
    for field, value in (("userPhotoUrl", row.user_photo_url), ("itemPhotoUrl", row.item_photo_url)):
        if value is not None and uploads.names_an_upload(value, s3=s3):
            _still_there(caller, generation_id, value, field, s3=s3)
    original = Options(extras.aspect_ratio, extras.image_size, extras.style)
    changed = options or Options()
    request = Request(
        mode=row.mode,
        prompt=row.prompt,
        user_photo_url=row.user_photo_url,
        item_photo_url=row.item_photo_url,
        options=Options(
            changed.aspect_ratio or original.aspect_ratio,
            changed.image_size or original.image_size,
            changed.style or original.style,
        ),
        quality=quality or extras.quality,
    )
    return create(caller, request, idempotency_key, operation=RERUN, s3=s3, sfn=sfn)


def _still_there(caller: Principal, generation_id: UUID, value: str, field: str, *, s3: Any | None) -> None:
    """A rerun's uploaded photo must still be there, within its lifetime: uploads are kept an hour."""
    expired = InvalidInput(
        f"the {field} of this generation has expired (uploads are kept {storage_settings().upload_ttl_s // 60} "
        "minutes): upload the photo again and start a new generation",
        details=[{"field": field, "generationId": str(generation_id), "reason": "expired"}],
    )
    try:
        expires_at = uploads.expires_at(caller.user_id, value, field=field, s3=s3)
    except InvalidInput:
        raise expired from None
    if expires_at <= utcnow():
        raise expired


def get(caller: Principal, generation_id: UUID) -> queries.Detail:
    found = queries.read_detail(generation_id, caller.user_id)
    if found is None:
        raise NotFound("generation not found")
    return found


def image(caller: Principal, generation_id: UUID) -> media.Image:
    row, _ = get(caller, generation_id)
    if row.status != "completed" or row.result_image_base64 is None:
        raise NotFound("this generation has no image (yet)")
    return media.parse_stored(row.result_image_base64)


def _lock_own(conn: db.Connection, caller: Principal, generation_id: UUID) -> str:
    status = queries.lock_own(conn, generation_id, caller.user_id)
    if status is None:
        raise NotFound("generation not found")
    return status


def cancel(caller: Principal, generation_id: UUID, *, sfn: Any | None = None) -> queries.Detail:
    with db.transaction() as conn:
        status = _lock_own(conn, caller, generation_id)
        if status not in queries.IN_FLIGHT:
            raise InvalidTransition(f"the generation has already {status}; there is nothing to cancel")
        mode = queries.fail(conn, generation_id, CANCELLED, "cancelled", retryable=True)
        refund = ledger.refund_generation(conn, generation_id, note="cancelled")
    observability.count("GenerationsFailed", mode=mode or "unknown", reason="cancelled")
    observability.refunded(refund, "cancelled")
    execution.stop(generation_id, "cancelled by the user", client=sfn)
    return get(caller, generation_id)


def delete(caller: Principal, generation_id: UUID, *, sfn: Any | None = None) -> None:
    """Delete a generation; one still running is cancelled (and refunded) first."""
    with db.transaction() as conn:
        status = _lock_own(conn, caller, generation_id)
        running = status in queries.IN_FLIGHT
        if running:
            queries.fail(conn, generation_id, CANCELLED, "cancelled", retryable=True)
            ledger.refund_generation(conn, generation_id, note="deleted while running")
        queries.delete(conn, generation_id)
    if running:
        execution.stop(generation_id, "deleted by the user", client=sfn)
