"""S3 for short-lived uploads: every object of a user lives under ``uploads/<userId>/``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from imagify.settings import storage_settings

_s3: Any | None = None


def s3_client() -> Any:
    """The environment's S3 client, made on first use (boto3 is imported only by functions that need it)."""
    global _s3
    if _s3 is None:
        import boto3

        _s3 = boto3.client("s3")
    return _s3


_presigner: tuple[Any, Any] | None = None


def presigning_client() -> Any:
    """A client like ``s3_client()`` that presigns URLs with SigV4 (botocore would otherwise presign S3 GETs
    with the legacy SigV2), made again whenever ``s3_client()`` is."""
    global _presigner
    base = s3_client()
    if _presigner is None or _presigner[0] is not base:
        import boto3
        from botocore.config import Config

        _presigner = (base, boto3.client("s3", config=Config(signature_version="s3v4")))
    return _presigner[1]


def user_prefix(user_id: UUID) -> str:
    return f"uploads/{user_id}/"


def delete_user_uploads(user_id: UUID, *, client: Any | None = None) -> int:
    """Delete every upload of a user; returns how many objects went."""
    client = client or s3_client()
    bucket = storage_settings().uploads_bucket
    deleted = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=user_prefix(user_id)):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            deleted += len(keys)
    return deleted
