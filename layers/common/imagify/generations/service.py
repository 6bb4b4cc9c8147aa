"""What a user can do with generations: start one, read them, fetch an image, cancel, delete."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from imagify import db, idempotency, media, observability, uploads
from imagify.billing import ledger
from imagify.billing.prices import cost_of, max_in_flight, sizes_of
from imagify.clock import utcnow
from imagify.errors import (
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
from imagify.webhooks import deliveries, endpoints

OPERATION = "generations.create"
RERUN = "generations.rerun"
CANCELLED = "cancelled by the user; the tokens were refunded"


@dataclass(frozen=True)
class Options:
    aspect_ratio: str | None = None
    image_size: str | None = None
    style: str | None = None


@dataclass(frozen=True)
class Garment:
    """One garment of a try-on's outfit."""

    photo_url: str
    category: str | None = None
    photo_type: str | None = None


@dataclass(frozen=True)
class Request:
    """A generation asked for, as the API model (``GenerationInput``) validated it. A try-on's garments are
    ``garments`` (an outfit) or ``item_photo_url`` (one garment), never both."""

    mode: str
    prompt: str | None = None
    user_photo_url: str | None = None
    item_photo_url: str | None = None
    options: Options | None = None
    quality: str = "standard"
    deadline_s: int | None = None
    garments: tuple[Garment, ...] | None = None
    count: int = 1
    webhook_url: str | None = None

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Request:
        """From the request's validated JSON body (camelCase, as sent)."""
        options, garments = body.get("options"), body.get("garments")
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
            garments=None
            if garments is None
            else tuple(Garment(item["photoUrl"], item.get("category"), item.get("photoType")) for item in garments),
            count=body.get("count") or 1,
            webhook_url=body.get("webhookUrl"),
        )

    def body(self) -> dict[str, Any]:
        """The JSON body again, all its fields (the ``Idempotency-Key``'s hash covers it)."""
        options = self.options
        return {
            "mode": self.mode,
            "prompt": self.prompt,
            "userPhotoUrl": self.user_photo_url,
            "itemPhotoUrl": self.item_photo_url,
            "garments": None
            if self.garments is None
            else [
                {"photoUrl": item.photo_url, "category": item.category, "photoType": item.photo_type}
                for item in self.garments
            ],
            "options": None
            if options is None
            else {"aspectRatio": options.aspect_ratio, "imageSize": options.image_size, "style": options.style},
            "quality": self.quality,
            "deadlineSeconds": self.deadline_s,
            "count": self.count,
            # only when given: an Idempotency-Key's hash stays what it was for requests without it
            **({"webhookUrl": self.webhook_url} if self.webhook_url else {}),
        }

    def photos(self) -> list[tuple[str, str]]:
        """Its photo fields that are given, as (field, value): the person's, then each garment's."""
        garments = (
            [(inputs.garment_field(index), item.photo_url) for index, item in enumerate(self.garments)]
            if self.garments is not None
            else [("itemPhotoUrl", self.item_photo_url)]
        )
        return [(field, value) for field, value in (("userPhotoUrl", self.user_photo_url), *garments) if value]


@dataclass(frozen=True)
class Started:
    """The looks just started (or found again under their key), the first one first, and the caller's balance
    after their charges."""

    looks: list[queries.Detail]
    balance_after: int


def _checked_options(request: Request) -> Options:
    options = request.options or Options()
    if options.image_size is not None and options.image_size not in sizes_of(request.quality):
        supported = sizes_of(request.quality)
        raise InvalidInput(
            f"imageSize {options.image_size} is not available at quality {request.quality}; "
            f"it takes {', '.join(supported)}",
            details=[{"field": "options.imageSize", "quality": request.quality, "supported": list(supported)}],
        )
    return options


def _kept_garments(request: Request, kept: Mapping[str, str]) -> list[dict[str, str | None]] | None:
    """What ``generation_options.garments`` keeps of an outfit: each garment's kind, and the photo of each
    after the first (the first's is the row's ``item_photo_url``)."""
    if request.garments is None:
        return None
    return [
        {
            "photo_url": None if index == 0 else kept[inputs.garment_field(index)],
            "category": item.category,
            "photo_type": item.photo_type,
        }
        for index, item in enumerate(request.garments)
    ]


def create(
    caller: Principal,
    request: Request,
    idempotency_key: str | None = None,
    *,
    operation: str = OPERATION,
    s3: Any | None = None,
    sfn: Any | None = None,
) -> idempotency.Done[Started] | idempotency.Replay:
    """Charge, record and start ``request.count`` looks, each a generation of its own (grouped by a batch id
    when there are several); their executions do the rest. Gives the looks started, or the first answer to
    ``idempotency_key`` (under ``operation``)."""
    options = _checked_options(request)
    # Photos are checked before anything is charged: a bad input costs nothing. An upload is kept as a presigned
    # GET URL (what the frontend, which shares the table, can show while the upload lives); inline data as sent.
    kept = {field: inputs.accepted(caller.user_id, value, field=field, s3=s3)[1] for field, value in request.photos()}
    if request.webhook_url:
        endpoints.checked_url(request.webhook_url, "webhookUrl")
    garments = request.garments or ()
    instruction = instructions.instruction(
        request.mode,
        request.prompt,
        aspect_ratio=options.aspect_ratio,
        style=options.style,
        garments=[(item.category, item.photo_type) for item in garments],
    )
    cost = cost_of(request.mode, request.quality, options.image_size)
    total = cost * request.count
    limit = max_in_flight(caller.plan)
    if request.count > limit:
        raise InvalidInput(
            f"count {request.count} is more than the {limit} generations your plan runs at once",
            details=[{"field": "count", "max": limit}],
        )
    with (
        db.transaction() as conn,
        idempotency.once(conn, caller.user_id, operation, idempotency_key, request.body()) as attempt,
    ):
        if attempt.replay:
            return attempt.replay
        if attempt.made:  # the first request started its looks and then crashed before answering
            found = queries.looks(conn, attempt.made, caller.user_id)
            if not found:
                raise NotFound("the generation this Idempotency-Key started has been deleted")
            return attempt.done(Started(found, ledger.balance(conn, caller.user_id)))
        # The user's row lock orders this user's requests, so the in-flight count and the charges agree.
        balance = conn.execute("SELECT tokens FROM users WHERE id = %s FOR UPDATE", (caller.user_id,)).fetchone()
        if balance is None:
            raise NotFound("user not found")
        ledger.afford(total, balance["tokens"])
        if request.webhook_url:
            endpoints.require_default_secret(conn, caller.user_id, "webhookUrl")
        if queries.in_flight(conn, caller.user_id) + request.count > limit:
            raise TooManyInFlight(f"at most {limit} generations may run at once on your plan", retry_after_s=10)
        batch_id = uuid4() if request.count > 1 else None
        made = []
        for _ in range(request.count):
            generation_id = queries.insert_pending(
                conn,
                caller.user_id,
                mode=request.mode,
                prompt=request.prompt,
                user_photo_url=kept.get("userPhotoUrl"),
                item_photo_url=kept.get("itemPhotoUrl", kept.get(inputs.garment_field(0))),
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
                _kept_garments(request, kept),
                batch_id,
                request.webhook_url,
            )
            charge = ledger.charge_generation(conn, caller.user_id, generation_id, cost)
            made.append(generation_id)
        attempt.link(made[0])
    observability.count("TokensCharged", total, mode=request.mode)
    started = [generation_id for generation_id in made if _start(generation_id, request.mode, sfn)]
    if not started:
        with db.transaction() as conn:
            attempt.forget(conn)  # the 503 invites a retry: free the key, so the retry starts looks of its own
        raise ServiceUnavailable("the generation could not be started; your tokens were refunded")
    with db.transaction() as conn:
        looks = queries.looks(conn, made[0], caller.user_id)
        balance_after = charge.balance_after if len(started) == len(made) else ledger.balance(conn, caller.user_id)
    return attempt.done(Started(looks, balance_after))


def _start(generation_id: UUID, mode: str, sfn: Any | None) -> bool:
    """Start a look's execution; one that cannot start is failed and refunded on its own (its siblings run)."""
    try:
        execution.start(generation_id, client=sfn)
    except execution.StartFailed:
        logger.exception("a generation could not be started", extra={"generation_id": str(generation_id)})
        with db.transaction() as conn:
            queries.fail(
                conn,
                generation_id,
                "the generation could not be started; the tokens were refunded",
                "internal",
                retryable=True,
            )
            refund = ledger.refund_generation(conn, generation_id, note="could not start")
        observability.count("GenerationsFailed", mode=mode, reason="start_failed")
        observability.refunded(refund, "start_failed")
        return False
    logger.info("generation started", extra={"generation_id": str(generation_id), "mode": mode})
    observability.count("GenerationsStarted", mode=mode)
    return True


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
    garments = None
    if extras.garments is not None:  # an outfit (one garment alone is in item_photo_url)
        garments = tuple(
            Garment(item.photo_url or "", item.category, item.photo_type) for item in extras.outfit(row.item_photo_url)
        )
    original_request = Request(
        mode=row.mode,
        user_photo_url=row.user_photo_url,
        item_photo_url=None if garments else row.item_photo_url,
        garments=garments,
    )
    for field, value in original_request.photos():
        if uploads.names_an_upload(value, s3=s3):
            _still_there(caller, generation_id, value, field, s3=s3)
    original = Options(extras.aspect_ratio, extras.image_size, extras.style)
    changed = options or Options()
    request = Request(
        mode=row.mode,
        prompt=row.prompt,
        user_photo_url=row.user_photo_url,
        item_photo_url=original_request.item_photo_url,
        garments=garments,
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
    return media.servable(row.result_image_base64)


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
    deliveries.notify(generation_id)
    return get(caller, generation_id)


def delete(caller: Principal, generation_id: UUID, *, sfn: Any | None = None) -> None:
    """Delete a generation; one still running is cancelled (and refunded) first."""
    with db.transaction() as conn:
        status = _lock_own(conn, caller, generation_id)
        running = status in queries.IN_FLIGHT
        batch_id = None
        if running:
            queries.fail(conn, generation_id, CANCELLED, "cancelled", retryable=True)
            ledger.refund_generation(conn, generation_id, note="deleted while running")
            batch_id = queries.batch_of(conn, generation_id)  # (its options go with it)
        queries.delete(conn, generation_id)
    if running:
        execution.stop(generation_id, "deleted by the user", client=sfn)
        deliveries.notify(generation_id, batch_id=batch_id)
