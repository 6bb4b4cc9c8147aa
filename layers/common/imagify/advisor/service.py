"""The style advisor's sessions: ask (charged through the ledger), read, delete, and turn into a generation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import sql

from imagify import db, idempotency, observability, pagination
from imagify.ai.advice import advisor_model
from imagify.ai.advice.protocol import AdvisorModel
from imagify.billing import ledger
from imagify.errors import Conflict, NotFound
from imagify.generations import inputs
from imagify.identity.principal import Principal
from imagify.models.rows import ADVISOR_SESSION_COLUMNS, AdvisorSessionRow
from imagify.settings import pricing_settings

OPERATION = "advisor.ask"
_COLUMNS = db.columns(ADVISOR_SESSION_COLUMNS)


@dataclass(frozen=True)
class Asked:
    """The advice kept, what it cost and the caller's balance after it."""

    session: AdvisorSessionRow
    tokens_charged: int
    balance_after: int


def ask(
    caller: Principal,
    message: str,
    user_photo_url: str | None,
    idempotency_key: str | None = None,
    *,
    model: AdvisorModel | None = None,
) -> idempotency.Done[Asked] | idempotency.Replay:
    """Ask the advisor; the session is stored (and the advice charged) only when the model answered. Gives the
    session stored, or the first answer to ``idempotency_key``."""
    # An upload is kept as a presigned GET URL, which the frontend can show (as generations keep it).
    photo, stored_photo = (
        inputs.accepted(caller.user_id, user_photo_url, field="userPhotoUrl") if user_photo_url else (None, None)
    )
    cost = pricing_settings().advisor_cost
    body = {"message": message, "userPhotoUrl": user_photo_url}
    with db.transaction() as conn, idempotency.once(conn, caller.user_id, OPERATION, idempotency_key, body) as attempt:
        if attempt.replay:
            return attempt.replay
        if attempt.made:  # the first request kept its advice and then crashed before answering
            return attempt.done(Asked(get(caller.user_id, attempt.made), cost, ledger.balance(conn, caller.user_id)))
        balance = ledger.balance(conn, caller.user_id)  # (NotFound for a user deleted meanwhile)
        ledger.afford(cost, balance, "advice costs")
    try:
        advice = (model or advisor_model()).advise(message, photo)
    except Exception as error:
        observability.count("AdvisorCalls", outcome=type(error).__name__)
        attempt.forget()  # nothing happened: the same key may be tried again
        raise
    try:
        with db.transaction() as conn:
            charge = ledger.charge_advice(conn, caller.user_id, cost)
            balance_after = charge.balance_after if charge else ledger.balance(conn, caller.user_id)
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO advisor_sessions"
                    " (user_id, user_photo_url, user_message, ai_response, extracted_prompt)"
                    " VALUES (%s, %s, %s, %s, %s) RETURNING {}"
                ).format(_COLUMNS),
                (caller.user_id, stored_photo, message, advice.markdown, advice.prompt),
            ).fetchone()
            assert row is not None
            attempt.link(row["id"], conn)
    except Exception:
        # The balance was spent meanwhile (402), say: nothing was kept, so the key may be tried again too.
        attempt.forget()
        raise
    observability.count("AdvisorCalls", outcome="ok")
    return attempt.done(Asked(AdvisorSessionRow.model_validate(row), cost, balance_after))


def page(user_id: UUID, limit: int, cursor: str | None) -> tuple[list[AdvisorSessionRow], str | None]:
    query = sql.SQL("SELECT {} FROM advisor_sessions WHERE user_id = %(user_id)s").format(_COLUMNS)
    rows, next_cursor = pagination.page(query, {"user_id": user_id}, limit=limit, cursor=cursor)
    return [AdvisorSessionRow.model_validate(r) for r in rows], next_cursor


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


def generation_body(user_id: UUID, session_id: UUID, mode: str | None) -> dict[str, Any]:
    """The body of the ``POST /generations`` a session's advice makes: its prompt (and its photo). The caller
    validates it as that route does, and starts it as that route does."""
    session = get(user_id, session_id)
    if session.extracted_prompt is None:
        raise Conflict("this advice has no generation prompt; ask the advisor again")
    chosen = mode or ("photo_text" if session.user_photo_url else "from_prompt")
    if chosen == "photo_text" and session.user_photo_url is None:
        raise Conflict("this advice has no photo, so it can only generate from_prompt")
    fields: dict[str, Any] = {"mode": chosen, "prompt": session.extracted_prompt}
    if chosen == "photo_text":
        fields["userPhotoUrl"] = session.user_photo_url
    return fields
