"""Wardrobe collections: a name, an optional cover, and the true count of their items."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import sql

from imagify import db, pagination
from imagify.errors import NotFound
from imagify.models.rows import (
    WARDROBE_COLLECTION_COLUMNS,
    WARDROBE_COLLECTION_LIST_COLUMNS,
    WardrobeCollectionRow,
    WardrobeCollectionSummaryRow,
)
from imagify.wardrobe.items import checked_image

_DETAIL = db.columns(WARDROBE_COLLECTION_COLUMNS)
_SUMMARY = db.columns(WARDROBE_COLLECTION_LIST_COLUMNS)


@db.retry_conflicts
def create(user_id: UUID, name: str, cover_image_base64: str | None) -> WardrobeCollectionRow:
    cover = checked_image(cover_image_base64, "coverImageBase64") if cover_image_base64 else None
    with db.transaction() as conn:
        row = conn.execute(
            sql.SQL(
                "INSERT INTO wardrobe_collections (user_id, name, cover_image_base64) VALUES (%s, %s, %s) RETURNING {}"
            ).format(_DETAIL),
            (user_id, name, cover),
        ).fetchone()
    return WardrobeCollectionRow.model_validate(row)


def page(
    user_id: UUID, *, with_cover: bool, limit: int, cursor: str | None
) -> tuple[list[WardrobeCollectionSummaryRow], str | None]:
    columns = _DETAIL if with_cover else _SUMMARY
    query = sql.SQL("SELECT {} FROM wardrobe_collections WHERE user_id = %(user_id)s").format(columns)
    rows, next_cursor = pagination.page(query, {"user_id": user_id}, limit=limit, cursor=cursor)
    model = WardrobeCollectionRow if with_cover else WardrobeCollectionSummaryRow
    return [model.model_validate(r) for r in rows], next_cursor


def get(user_id: UUID, collection_id: UUID) -> WardrobeCollectionRow:
    row = db.fetch_one(
        sql.SQL("SELECT {} FROM wardrobe_collections WHERE id = %s AND user_id = %s").format(_DETAIL),
        (collection_id, user_id),
    )
    if row is None:
        raise NotFound("collection not found")
    return WardrobeCollectionRow.model_validate(row)


@db.retry_conflicts
def update(user_id: UUID, collection_id: UUID, changes: dict[str, Any]) -> WardrobeCollectionRow:
    if changes.get("cover_image_base64"):
        changes = {**changes, "cover_image_base64": checked_image(changes["cover_image_base64"], "coverImageBase64")}
    with db.transaction() as conn:
        row = conn.execute(
            sql.SQL(
                "UPDATE wardrobe_collections SET {} WHERE id = %(id)s AND user_id = %(user_id)s RETURNING {}"
            ).format(db.assignments(changes), _DETAIL),
            {**changes, "id": collection_id, "user_id": user_id},
        ).fetchone()
    if row is None:
        raise NotFound("collection not found")
    return WardrobeCollectionRow.model_validate(row)


@db.retry_conflicts
def delete(user_id: UUID, collection_id: UUID) -> None:
    """Delete a collection; its items stay, out of any collection (the foreign key sets them to null)."""
    with db.transaction() as conn:
        # Its items first, then the collection: the order a move takes (the item, then its collections). The
        # foreign key's SET NULL would lock them after the collection, and deadlock with a move out of it.
        conn.execute(
            "SELECT 1 FROM wardrobe_items WHERE collection_id = %s AND user_id = %s ORDER BY id FOR NO KEY UPDATE",
            (collection_id, user_id),
        )
        deleted = conn.execute(
            "DELETE FROM wardrobe_collections WHERE id = %s AND user_id = %s", (collection_id, user_id)
        ).rowcount
    if deleted == 0:
        raise NotFound("collection not found")
