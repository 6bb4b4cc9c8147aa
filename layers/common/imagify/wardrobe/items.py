"""Wardrobe items: create, list (keyset, by collection or tag), read, change, delete; save a generation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import sql

from imagify import db, media, pagination
from imagify.errors import Conflict, NotFound
from imagify.models.rows import (
    WARDROBE_ITEM_COLUMNS,
    WARDROBE_ITEM_LIST_COLUMNS,
    WardrobeItemRow,
    WardrobeItemSummaryRow,
)

MAX_IMAGE_BYTES = 5 * 1024 * 1024

_DETAIL = db.columns(WARDROBE_ITEM_COLUMNS)
_SUMMARY = db.columns(WARDROBE_ITEM_LIST_COLUMNS)


def checked_image(data_uri: str, field: str) -> str:
    """A data URI whose bytes really are the image type it names (re-encoded as it came)."""
    return media.from_data_uri(data_uri, max_bytes=MAX_IMAGE_BYTES, field=field).data_uri()


def require_own_collection(conn: db.Connection, user_id: UUID, collection_id: UUID | None) -> None:
    if collection_id is None:
        return
    # FOR KEY SHARE: the collection cannot be deleted until the item referencing it is written.
    row = conn.execute(
        "SELECT 1 FROM wardrobe_collections WHERE id = %s AND user_id = %s FOR KEY SHARE", (collection_id, user_id)
    ).fetchone()
    if row is None:
        raise NotFound("collection not found")


def _insert(
    conn: db.Connection,
    user_id: UUID,
    *,
    image: str,
    title: str | None,
    description: str | None,
    collection_id: UUID | None,
    tags: list[str] | None,
    generation_id: UUID | None = None,
) -> WardrobeItemRow:
    require_own_collection(conn, user_id, collection_id)
    row = conn.execute(
        sql.SQL(
            "INSERT INTO wardrobe_items"
            " (user_id, generation_id, title, description, image_base64, collection_id, tags)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING {}"
        ).format(_DETAIL),
        (user_id, generation_id, title, description, image, collection_id, tags or []),
    ).fetchone()
    return WardrobeItemRow.model_validate(row)


@db.retry_conflicts
def create(
    user_id: UUID,
    *,
    image_base64: str,
    title: str | None,
    description: str | None,
    collection_id: UUID | None,
    tags: list[str] | None,
) -> WardrobeItemRow:
    image = checked_image(image_base64, "imageBase64")
    with db.transaction() as conn:
        return _insert(
            conn, user_id, image=image, title=title, description=description, collection_id=collection_id, tags=tags
        )


@db.retry_conflicts
def save_generation(
    user_id: UUID,
    generation_id: UUID,
    *,
    title: str | None,
    description: str | None,
    collection_id: UUID | None,
    tags: list[str] | None,
) -> WardrobeItemRow:
    """Keep a completed generation of one's own as a wardrobe item (its image copied, so it outlives it)."""
    with db.transaction() as conn:
        # FOR UPDATE, not FOR SHARE: the item's trigger locks the generation FOR UPDATE to set saved_to_wardrobe,
        # and two saves of one generation, each holding a share lock and waiting to upgrade it, would deadlock.
        generation = conn.execute(
            "SELECT status, result_image_base64, prompt FROM generations WHERE id = %s AND user_id = %s FOR UPDATE",
            (generation_id, user_id),
        ).fetchone()
        if generation is None:
            raise NotFound("generation not found")
        if generation["status"] != "completed" or generation["result_image_base64"] is None:
            raise Conflict("only a completed generation can be saved to the wardrobe")
        return _insert(
            conn,
            user_id,
            image=generation["result_image_base64"],
            title=title,
            description=description if description is not None else generation["prompt"],
            collection_id=collection_id,
            tags=tags,
            generation_id=generation_id,
        )


def page(
    user_id: UUID, *, collection_id: UUID | None, tag: str | None, limit: int, cursor: str | None
) -> tuple[list[WardrobeItemSummaryRow], str | None]:
    query = sql.SQL(
        "SELECT {} FROM wardrobe_items WHERE user_id = %(user_id)s"
        " AND (%(collection_id)s::uuid IS NULL OR collection_id = %(collection_id)s)"
        # Any case matches (the frontend may write "Summer"): the GIN index is on lower_tags(tags).
        " AND (%(tag)s::text IS NULL OR lower_tags(tags) @> ARRAY[lower(%(tag)s::text)])"
    ).format(_SUMMARY)
    params = {"user_id": user_id, "collection_id": collection_id, "tag": tag.strip() if tag else None}
    rows, next_cursor = pagination.page(query, params, limit=limit, cursor=cursor)
    return [WardrobeItemSummaryRow.model_validate(r) for r in rows], next_cursor


def get(user_id: UUID, item_id: UUID) -> WardrobeItemRow:
    row = db.fetch_one(
        sql.SQL("SELECT {} FROM wardrobe_items WHERE id = %s AND user_id = %s").format(_DETAIL), (item_id, user_id)
    )
    if row is None:
        raise NotFound("wardrobe item not found")
    return WardrobeItemRow.model_validate(row)


@db.retry_conflicts
def update(user_id: UUID, item_id: UUID, changes: dict[str, Any]) -> WardrobeItemRow:
    with db.transaction() as conn:
        # The item first, then its collection: the order deleting a collection takes (its items, then it).
        conn.execute(
            "SELECT 1 FROM wardrobe_items WHERE id = %s AND user_id = %s FOR NO KEY UPDATE", (item_id, user_id)
        )
        if "collection_id" in changes:
            require_own_collection(conn, user_id, changes["collection_id"])
        row = conn.execute(
            sql.SQL("UPDATE wardrobe_items SET {} WHERE id = %(id)s AND user_id = %(user_id)s RETURNING {}").format(
                db.assignments(changes), _DETAIL
            ),
            {**changes, "id": item_id, "user_id": user_id},
        ).fetchone()
    if row is None:
        raise NotFound("wardrobe item not found")
    return WardrobeItemRow.model_validate(row)


@db.retry_conflicts
def delete(user_id: UUID, item_id: UUID) -> None:
    with db.transaction() as conn:
        # The generation it was saved from first (FOR UPDATE, as the trigger will), then the item: the order
        # deleting the generation takes (its SET NULL locks the items after it), so the two cannot deadlock.
        conn.execute(
            "SELECT 1 FROM generations WHERE id = (SELECT generation_id FROM wardrobe_items WHERE id = %s"
            " AND user_id = %s) FOR UPDATE",
            (item_id, user_id),
        )
        deleted = conn.execute("DELETE FROM wardrobe_items WHERE id = %s AND user_id = %s", (item_id, user_id)).rowcount
    if deleted == 0:
        raise NotFound("wardrobe item not found")
