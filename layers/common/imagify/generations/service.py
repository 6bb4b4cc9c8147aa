"""What a user can do with generations: start one, read them, fetch an image, cancel, delete."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from imagify import db, idempotency, media, observability
from imagify.billing import ledger
from imagify.errors import InvalidTransition, NotFound, ServiceUnavailable, TooManyInFlight
from imagify.generations import execution, inputs, instructions, queries
from imagify.idempotency import Answer
from imagify.identity.principal import Principal
from imagify.models.api import Generation, GenerationInput
from imagify.models.rows import GenerationRow
from imagify.observability import logger
from imagify.settings import pricing_settings

OPERATION = "generations.create"
CANCELLED = "cancelled by the user; the tokens were refunded"


def cost_of(mode: str) -> int:
    settings = pricing_settings()
    return {"tryon": settings.cost_tryon, "from_prompt": settings.cost_from_prompt}.get(mode, settings.cost_photo_text)


def max_in_flight(plan: str) -> int:
    settings = pricing_settings()
    return settings.pro_max_in_flight if plan == "pro" else settings.free_max_in_flight


def _view(conn: db.Connection | None, generation_id: UUID) -> dict[str, Any]:
    """The API view of a generation, read in ``conn``'s transaction, or on its own (``conn=None``)."""
    found = queries.detail(conn, generation_id) if conn is not None else queries.read_detail(generation_id)
    assert found is not None
    row, charged = found
    return Generation.from_row(row, tokens_charged=charged).model_dump(mode="json", by_alias=True)


def create(
    caller: Principal,
    request: GenerationInput,
    idempotency_key: str | None = None,
    *,
    s3: Any | None = None,
    sfn: Any | None = None,
) -> Answer:
    """Charge, record and start a generation; its execution does the rest."""
    # Photos are checked before anything is charged: a bad input costs nothing. An upload is kept as a presigned
    # GET URL (what the frontend, which shares the table, can show while the upload lives); inline data as sent.
    user_photo, item_photo = (
        inputs.accepted(caller.user_id, value, field=field, s3=s3)[1] if value is not None else None
        for field, value in (("userPhotoUrl", request.user_photo_url), ("itemPhotoUrl", request.item_photo_url))
    )
    options = request.options
    instruction = instructions.instruction(
        request.mode,
        request.prompt,
        aspect_ratio=options.aspect_ratio if options else None,
        style=options.style if options else None,
    )
    request_hash = idempotency.request_hash(request.model_dump(mode="json"))
    with db.transaction() as conn:
        if idempotency_key:
            earlier = idempotency.claim(conn, caller.user_id, OPERATION, idempotency_key, request_hash)
            if earlier is not None:
                if earlier.status is not None:
                    return Answer(earlier.status, earlier.body)
                assert earlier.resource_id is not None
                return Answer(202, _view(conn, earlier.resource_id))
        # The user's row lock orders this user's requests, so the in-flight count and the charge agree.
        balance = conn.execute("SELECT tokens FROM users WHERE id = %s FOR UPDATE", (caller.user_id,)).fetchone()
        if balance is None:
            raise NotFound("user not found")
        cost = cost_of(request.mode)
        limit = max_in_flight(caller.plan)
        if balance["tokens"] >= cost and queries.in_flight(conn, caller.user_id) >= limit:
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
        charge = ledger.charge_generation(conn, caller.user_id, generation_id, cost)
        if idempotency_key:
            idempotency.link(conn, caller.user_id, OPERATION, idempotency_key, generation_id)
    try:
        execution.start(generation_id, client=sfn)
    except execution.StartFailed as error:
        with db.transaction() as conn:
            queries.fail(conn, generation_id, "the generation could not be started; the tokens were refunded")
            refund = ledger.refund_generation(conn, generation_id, note="could not start")
            if idempotency_key:
                # The 503 invites a retry: free the key, so the retry starts a generation of its own.
                idempotency.forget(conn, caller.user_id, OPERATION, idempotency_key)
        observability.count("GenerationsFailed", mode=request.mode, reason="start_failed")
        observability.refunded(refund, "start_failed")
        raise ServiceUnavailable("the generation could not be started; your tokens were refunded") from error
    logger.info("generation started", extra={"generation_id": str(generation_id), "mode": request.mode})
    observability.count("GenerationsStarted", mode=request.mode)
    observability.count("TokensCharged", -charge.delta, mode=request.mode)
    body = _view(None, generation_id)
    if idempotency_key:
        idempotency.remember(caller.user_id, OPERATION, idempotency_key, 202, body)
    return Answer(202, body)


def get(caller: Principal, generation_id: UUID) -> tuple[GenerationRow, int]:
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


def cancel(caller: Principal, generation_id: UUID, *, sfn: Any | None = None) -> tuple[GenerationRow, int]:
    with db.transaction() as conn:
        status = _lock_own(conn, caller, generation_id)
        if status not in queries.IN_FLIGHT:
            raise InvalidTransition(f"the generation has already {status}; there is nothing to cancel")
        mode = queries.fail(conn, generation_id, CANCELLED)
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
            queries.fail(conn, generation_id, CANCELLED)
            ledger.refund_generation(conn, generation_id, note="deleted while running")
        queries.delete(conn, generation_id)
    if running:
        execution.stop(generation_id, "deleted by the user", client=sfn)
