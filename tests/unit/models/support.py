"""Rows as psycopg gives them, and the helpers the models' tests share."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import uuid4

from pydantic import ValidationError

CREATED = datetime(2025, 3, 4, 5, 6, 7, 891234)  # naive UTC, as psycopg returns `timestamp` columns
PNG = "data:image/png;base64,iVBORw0KGgo="


def error_types(error: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    return [(tuple(item["loc"]), item["type"]) for item in error.errors()]


def user_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid4(),
        "email": "ada@example.com",
        "name": "Ada",
        "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        "image": None,
        "role": "user",
        "plan": "free",
        "tokens": 50,
        "email_verified": None,
        "created_at": CREATED,
        "updated_at": CREATED,
    }
    return row | overrides


def generation_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid4(),
        "user_id": uuid4(),
        "mode": "tryon",
        "status": "completed",
        "prompt": None,
        "user_photo_url": "https://cdn.example.com/me.png",
        "item_photo_url": "data:image/jpeg;base64,/9j/4AAQ",
        "result_image_base64": PNG,
        "ai_prompt_used": "a person wearing the shirt",
        "model_used": "gemini-2.5-flash-image",
        "generation_time_ms": 8123,
        "error_message": None,
        "saved_to_wardrobe": False,
        "created_at": CREATED,
    }
    return row | overrides


def wardrobe_item_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid4(),
        "user_id": uuid4(),
        "generation_id": None,
        "title": "Linen shirt",
        "description": None,
        "image_base64": PNG,
        "collection_id": None,
        "tags": ["summer"],
        "created_at": CREATED,
        "updated_at": None,
    }
    return row | overrides


def collection_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid4(),
        "user_id": uuid4(),
        "name": "Summer",
        "cover_image_base64": PNG,
        "item_count": 3,
        "created_at": CREATED,
    }
    return row | overrides


def only(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    """What a query selecting ``columns`` returns."""
    return {column: row[column] for column in columns}
