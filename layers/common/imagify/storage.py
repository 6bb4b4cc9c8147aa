"""S3 for short-lived uploads: every object of a user lives under ``uploads/<userId>/``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from imagify import clients
from imagify.settings import storage_settings


def user_prefix(user_id: UUID) -> str:
    return f"uploads/{user_id}/"


def delete_user_uploads(user_id: UUID, *, client: Any | None = None) -> int:
    """Delete every upload of a user; returns how many objects went."""
    client = client or clients.s3()
    bucket = storage_settings().uploads_bucket
    deleted = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=user_prefix(user_id)):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            deleted += len(keys)
    return deleted
