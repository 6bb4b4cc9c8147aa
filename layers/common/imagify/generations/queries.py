"""SQL on ``generations``: explicit columns, the image only where it is needed, and conditional updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import sql
from psycopg.types.json import Jsonb

from imagify import db, pagination
from imagify.models.rows import (
    GENERATION_COLUMNS,
    GENERATION_LIST_COLUMNS,
    GenerationExtrasRow,
    GenerationRow,
    GenerationSummaryRow,
)

# Net tokens taken for a generation: its charge less its refund (0 once refunded).
_TOKENS_CHARGED = sql.SQL(
    "COALESCE((SELECT -sum(t.delta) FROM token_transactions t WHERE t.generation_id = g.id "
    "AND t.kind IN ('generation_charge', 'generation_refund')), 0)::int AS tokens_charged"
)
# What it was asked for and why it failed, from the backend's own tables (subqueries, not joins: the
# keyset's created_at and id stay the generation's own).
_EXTRAS = sql.SQL(
    "(SELECT jsonb_build_object('quality', o.quality, 'aspect_ratio', o.aspect_ratio, 'image_size', o.image_size, "
    "'style', o.style, 'deadline_at', o.deadline_at, 'garments', o.garments, 'batch_id', o.batch_id) "
    "FROM generation_options o WHERE o.generation_id = g.id) "
    "AS options, "
    "(SELECT jsonb_build_object('error_code', f.error_code, 'retryable', f.retryable) "
    "FROM generation_failures f WHERE f.generation_id = g.id) AS failure"
)
_DETAIL = sql.SQL("SELECT {}, {}, {} FROM generations g").format(
    db.columns(GENERATION_COLUMNS, "g"), _TOKENS_CHARGED, _EXTRAS
)
_SUMMARY = sql.SQL("SELECT {}, {}, {} FROM generations g").format(
    db.columns(GENERATION_LIST_COLUMNS, "g"), _TOKENS_CHARGED, _EXTRAS
)

IN_FLIGHT = ("pending", "processing")


def _split(row: dict[str, Any]) -> tuple[dict[str, Any], GenerationExtrasRow]:
    fields = dict(row)
    extras = {"tokens_charged": fields.pop("tokens_charged"), **(fields.pop("options") or {})}
    extras |= fields.pop("failure") or {}
    return fields, GenerationExtrasRow.model_validate(extras)


_DETAIL_BY_ID = _DETAIL + sql.SQL(" WHERE g.id = %(id)s AND (%(user_id)s::uuid IS NULL OR g.user_id = %(user_id)s)")


Detail = tuple[GenerationRow, GenerationExtrasRow]
Summary = tuple[GenerationSummaryRow, GenerationExtrasRow]


def _detail_row(row: dict[str, Any] | None) -> Detail | None:
    if row is None:
        return None
    fields, extras = _split(row)
    return GenerationRow.model_validate(fields), extras


def detail(conn: db.Connection, generation_id: UUID, user_id: UUID | None = None) -> Detail | None:
    """A generation with its image, net charge, options and failure; only the owner's when ``user_id`` is
    given."""
    return _detail_row(conn.execute(_DETAIL_BY_ID, {"id": generation_id, "user_id": user_id}).fetchone())


def read_detail(generation_id: UUID, user_id: UUID | None = None) -> Detail | None:
    """:func:`detail` outside a transaction, in one round trip instead of three (``BEGIN``, ``SELECT``,
    ``COMMIT``): one statement sees one snapshot anyway, and a read is retried on a connection that died."""
    return _detail_row(db.fetch_one(_DETAIL_BY_ID, {"id": generation_id, "user_id": user_id}))


def page(
    user_id: UUID,
    *,
    mode: str | None,
    status: str | None,
    saved: bool | None,
    batch_id: UUID | None = None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Summary], str | None]:
    rows, next_cursor = pagination.page(
        _SUMMARY
        + sql.SQL(
            " WHERE user_id = %(user_id)s"
            " AND (%(mode)s::generation_mode IS NULL OR mode = %(mode)s)"
            " AND (%(status)s::generation_status IS NULL OR status = %(status)s)"
            " AND (%(saved)s::boolean IS NULL OR saved_to_wardrobe = %(saved)s)"
            " AND (%(batch)s::uuid IS NULL OR id IN (SELECT generation_id FROM generation_options"
            " WHERE batch_id = %(batch)s))"
        ),
        {"user_id": user_id, "mode": mode, "status": status, "saved": saved, "batch": batch_id},
        limit=limit,
        cursor=cursor,
    )
    items = []
    for row in rows:
        fields, extras = _split(row)
        items.append((GenerationSummaryRow.model_validate(fields), extras))
    return items, next_cursor


def in_flight(conn: db.Connection, user_id: UUID) -> int:
    row = conn.execute(
        "SELECT count(*) AS n FROM generations WHERE user_id = %s AND status IN ('pending', 'processing')",
        (user_id,),
    ).fetchone()
    return int(row["n"]) if row else 0


def insert_pending(
    conn: db.Connection,
    user_id: UUID,
    *,
    mode: str,
    prompt: str | None,
    user_photo_url: str | None,
    item_photo_url: str | None,
    instruction: str,
) -> UUID:
    row = conn.execute(
        "INSERT INTO generations (user_id, mode, prompt, user_photo_url, item_photo_url, ai_prompt_used) "
        "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
        (user_id, mode, prompt, user_photo_url, item_photo_url, instruction),
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def batch_of(conn: db.Connection, generation_id: UUID) -> UUID | None:
    row = conn.execute("SELECT batch_id FROM generation_options WHERE generation_id = %s", (generation_id,)).fetchone()
    return row["batch_id"] if row else None


def status_of(conn: db.Connection, generation_id: UUID) -> str | None:
    row = conn.execute("SELECT status FROM generations WHERE id = %s", (generation_id,)).fetchone()
    return str(row["status"]) if row else None


def fail(conn: db.Connection, generation_id: UUID, message: str, code: str, *, retryable: bool) -> str | None:
    """pending/processing → failed with its message and error code, giving its mode; None when it had already
    finished (a late or repeated call), so callers do what follows a failure once."""
    row = conn.execute(
        "WITH failed AS (UPDATE generations SET status = 'failed', error_message = %(message)s, "
        "result_image_base64 = NULL WHERE id = %(id)s AND status IN ('pending', 'processing') RETURNING id, mode), "
        "recorded AS (INSERT INTO generation_failures (generation_id, error_code, retryable) "
        "SELECT id, %(code)s, %(retryable)s FROM failed ON CONFLICT (generation_id) DO UPDATE "
        "SET error_code = EXCLUDED.error_code, retryable = EXCLUDED.retryable) "
        "SELECT mode FROM failed",
        {"message": message, "id": generation_id, "code": code, "retryable": retryable},
    ).fetchone()
    return str(row["mode"]) if row else None


def save_options(
    conn: db.Connection,
    generation_id: UUID,
    quality: str,
    aspect_ratio: str | None,
    image_size: str | None,
    style: str | None,
    deadline_s: int | None,
    garments: list[dict[str, str | None]] | None = None,
    batch_id: UUID | None = None,
    webhook_url: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO generation_options "
        "(generation_id, quality, aspect_ratio, image_size, style, deadline_at, garments, batch_id, webhook_url) "
        "VALUES (%s, %s, %s, %s, %s, now() + make_interval(secs => %s), %s, %s, %s)",
        (
            generation_id,
            quality,
            aspect_ratio,
            image_size,
            style,
            deadline_s,
            None if garments is None else Jsonb(garments),
            batch_id,
            webhook_url,
        ),
    )


def looks(conn: db.Connection, generation_id: UUID, user_id: UUID) -> list[Detail]:
    """The looks of the user's generation's batch (itself first), or just it when it has no batch."""
    rows = conn.execute(
        _DETAIL
        + sql.SQL(
            " WHERE g.user_id = %(user_id)s AND g.id IN (SELECT o.generation_id FROM generation_options o "
            "WHERE o.batch_id = (SELECT batch_id FROM generation_options WHERE generation_id = %(id)s)) "
            "OR g.id = %(id)s AND g.user_id = %(user_id)s ORDER BY g.id = %(id)s DESC, g.id"
        ),
        {"id": generation_id, "user_id": user_id},
    ).fetchall()
    return [look for look in map(_detail_row, rows) if look is not None]


def deadline_of(conn: db.Connection, generation_id: UUID) -> datetime | None:
    row = conn.execute(
        "SELECT deadline_at FROM generation_options WHERE generation_id = %s", (generation_id,)
    ).fetchone()
    return None if row is None else row["deadline_at"]


def overdue(limit: int) -> list[UUID]:
    """Generations still pending or processing whose deadline passed more than a minute ago (their flow
    should have failed them itself)."""
    rows = db.fetch_all(
        "SELECT g.id FROM generations g JOIN generation_options o ON o.generation_id = g.id "
        "WHERE o.deadline_at < now() - interval '1 minute' AND g.status IN ('pending', 'processing') "
        "ORDER BY o.deadline_at LIMIT %s",
        (limit,),
    )
    return [UUID(str(row["id"])) for row in rows]


def lock_own(conn: db.Connection, generation_id: UUID, user_id: UUID) -> str | None:
    """The status of the user's generation, locked for this transaction (``None`` when it is not theirs)."""
    row = conn.execute(
        "SELECT status FROM generations WHERE id = %s AND user_id = %s FOR UPDATE", (generation_id, user_id)
    ).fetchone()
    return None if row is None else str(row["status"])


def delete(conn: db.Connection, generation_id: UUID) -> None:
    conn.execute("DELETE FROM generations WHERE id = %s", (generation_id,))


def start_processing(conn: db.Connection, generation_id: UUID) -> bool:
    """pending → processing; ``False`` when it was not pending."""
    return bool(
        conn.execute(
            "UPDATE generations SET status = 'processing' WHERE id = %s AND status = 'pending'", (generation_id,)
        ).rowcount
    )


def write_result(conn: db.Connection, generation_id: UUID, image: str, model: str, elapsed_ms: int) -> bool:
    """Store the image of a generation still processing; ``False`` when it no longer is."""
    return bool(
        conn.execute(
            "UPDATE generations SET result_image_base64 = %s, model_used = %s, generation_time_ms = %s "
            "WHERE id = %s AND status = 'processing'",
            (image, model[:100], elapsed_ms, generation_id),
        ).rowcount
    )


def complete(conn: db.Connection, generation_id: UUID) -> str | None:
    """processing (with its image) → completed; the generation's mode, or ``None`` when it did not move."""
    row = conn.execute(
        "UPDATE generations SET status = 'completed' "
        "WHERE id = %s AND status = 'processing' AND result_image_base64 IS NOT NULL RETURNING mode",
        (generation_id,),
    ).fetchone()
    return None if row is None else str(row["mode"])
