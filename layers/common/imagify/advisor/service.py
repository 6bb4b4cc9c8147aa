"""The style advisor's sessions: ask (charged through the ledger), read, delete, and turn into a generation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import sql

from imagify import db, idempotency, observability, pagination
from imagify.ai.advice import advisor_model
from imagify.ai.advice.protocol import AdvisorModel
from imagify.billing import ledger
from imagify.errors import Conflict, InsufficientTokens, NotFound
from imagify.generations import inputs, service
from imagify.idempotency import Answer
from imagify.identity.principal import Principal
from imagify.models.api import AdvisorSession, GenerationInput
from imagify.models.rows import ADVISOR_SESSION_COLUMNS, AdvisorSessionRow
from imagify.settings import pricing_settings

OPERATION = "advisor.ask"
_COLUMNS = db.columns(ADVISOR_SESSION_COLUMNS)


def ask(
    caller: Principal,
    message: str,
    user_photo_url: str | None,
    idempotency_key: str | None = None,
    *,
    model: AdvisorModel | None = None,
) -> Answer:
    """Ask the advisor; the session is stored (and the advice charged) only when the model answered."""
    # An upload is kept as a presigned GET URL, which the frontend can show (as generations keep it).
    photo, stored_photo = (
        inputs.accepted(caller.user_id, user_photo_url, field="userPhotoUrl") if user_photo_url else (None, None)
    )
    cost = pricing_settings().advisor_cost
    request_hash = idempotency.request_hash({"message": message, "userPhotoUrl": user_photo_url})
    with db.transaction() as conn:
        if idempotency_key:
            earlier = idempotency.claim(conn, caller.user_id, OPERATION, idempotency_key, request_hash)
            if earlier is not None:
                if earlier.status is None:
                    raise Conflict("a request with this Idempotency-Key is still being answered")
                return Answer(earlier.status, earlier.body)
        balance = conn.execute("SELECT tokens FROM users WHERE id = %s", (caller.user_id,)).fetchone()
        if balance is None:
            raise NotFound("user not found")
        if balance["tokens"] < cost:
            raise InsufficientTokens(f"advice costs {cost} tokens and the balance is {balance['tokens']}")
    try:
        advice = (model or advisor_model()).advise(message, photo)
    except Exception as error:
        observability.count("AdvisorCalls", outcome=type(error).__name__)
        if idempotency_key:
            _forget(caller.user_id, idempotency_key)  # nothing happened: the same key may be tried again
        raise
    try:
        with db.transaction() as conn:
            ledger.charge_advice(conn, caller.user_id, cost)
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO advisor_sessions"
                    " (user_id, user_photo_url, user_message, ai_response, extracted_prompt)"
                    " VALUES (%s, %s, %s, %s, %s) RETURNING {}"
                ).format(_COLUMNS),
                (caller.user_id, stored_photo, message, advice.markdown, advice.prompt),
            ).fetchone()
    except Exception:
        # The balance was spent meanwhile (402), say: nothing was kept, so the key may be tried again too.
        if idempotency_key:
            _forget(caller.user_id, idempotency_key)
        raise
    observability.count("AdvisorCalls", outcome="ok")
    body = AdvisorSession.from_row(AdvisorSessionRow.model_validate(row)).model_dump(mode="json", by_alias=True)
    if idempotency_key:
        idempotency.remember(caller.user_id, OPERATION, idempotency_key, 201, body)
    return Answer(201, body)


def _forget(user_id: UUID, key: str) -> None:
    with db.transaction() as conn:
        conn.execute(
            "DELETE FROM idempotency_keys WHERE user_id = %s AND operation = %s AND key = %s", (user_id, OPERATION, key)
        )


def page(user_id: UUID, limit: int, cursor: str | None) -> tuple[list[AdvisorSessionRow], str | None]:
    query = sql.SQL(
        "SELECT {} FROM advisor_sessions WHERE user_id = %(user_id)s AND "
        + pagination.AFTER_CURSOR
        + pagination.NEWEST_FIRST
    ).format(_COLUMNS)
    rows = db.fetch_all(query, {"user_id": user_id, **pagination.keyset(cursor, limit)})
    return [AdvisorSessionRow.model_validate(r) for r in rows[:limit]], pagination.next_cursor(rows, limit)


def get(user_id: UUID, session_id: UUID) -> AdvisorSessionRow:
    row = db.fetch_one(
        sql.SQL("SELECT {} FROM advisor_sessions WHERE id = %s AND user_id = %s").format(_COLUMNS),
        (session_id, user_id),
    )
    if row is None:
        raise NotFound("advisor session not found")
    return AdvisorSessionRow.model_validate(row)


def delete(user_id: UUID, session_id: UUID) -> None:
    with db.transaction() as conn:
        deleted = conn.execute(
            "DELETE FROM advisor_sessions WHERE id = %s AND user_id = %s", (session_id, user_id)
        ).rowcount
    if deleted == 0:
        raise NotFound("advisor session not found")


def generate(caller: Principal, session_id: UUID, mode: str | None, idempotency_key: str | None = None) -> Answer:
    """Start a generation from the advice's prompt (and its photo), exactly as ``POST /generations`` does."""
    session = get(caller.user_id, session_id)
    if session.extracted_prompt is None:
        raise Conflict("this advice has no generation prompt; ask the advisor again")
    chosen = mode or ("photo_text" if session.user_photo_url else "from_prompt")
    if chosen == "photo_text" and session.user_photo_url is None:
        raise Conflict("this advice has no photo, so it can only generate from_prompt")
    fields: dict[str, Any] = {"mode": chosen, "prompt": session.extracted_prompt}
    if chosen == "photo_text":
        fields["userPhotoUrl"] = session.user_photo_url
    return service.create(caller, GenerationInput.model_validate(fields), idempotency_key)
