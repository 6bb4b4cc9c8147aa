"""A generation keeps an uploaded photo as a presigned GET URL: what the frontend (which shares the table and
shows ``user_photo_url`` as an image) can display while the upload lives, and what the flow still reads the
photo from, the key taken back from the URL only when it is the caller's own upload in the uploads bucket.
"""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from imagify import clients, uploads
from imagify.errors import InvalidInput
from imagify.generations import inputs
from tests.integration.generations import support
from tests.integration.generations.fixtures import FlowChecks, Tasks
from tests.support.api import ApiClient, User
from tests.support.aws import own_moto_account
from tests.support.env import setenv

BUCKET = "imagify-photo-url-tests"


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


# -- in AWS's shape (moto in-process): an https URL, valid for the upload's remaining lifetime ----------


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An uploads bucket in a moto account of the test's own, with the app's S3 settings pointed at it."""
    for name, value in {
        "UPLOADS_BUCKET": BUCKET,
        "UPLOAD_TTL_S": "3600",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    with own_moto_account(monkeypatch):
        clients.reset()
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        try:
            yield s3
        finally:
            for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
                s3.delete_object(Bucket=BUCKET, Key=item["Key"])
            s3.delete_bucket(Bucket=BUCKET)
            clients.reset()


def _uploaded(s3: Any, user_id: uuid.UUID, data: bytes, mime: str = "image/png") -> str:
    key = f"uploads/{user_id}/user_photo/{uuid.uuid4()}.png"
    s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType=mime)
    return key


def test_an_upload_is_stored_as_an_https_sigv4_url_that_gets_the_image_for_the_uploads_lifetime(aws: Any):
    # Given a photo the user uploaded
    me = uuid.uuid4()
    photo = support.picture(30, 40, (200, 10, 10))
    key = _uploaded(aws, me, photo)

    # When a generation's photo is stored
    stored = inputs.accepted(me, f"upload:{key}", field="userPhotoUrl")[1]

    # Then it is an https URL of that object, signed with SigV4 for the upload's remaining lifetime
    parts = urlsplit(stored)
    assert parts.scheme == "https"
    assert parts.hostname == f"{BUCKET}.s3.amazonaws.com"
    assert parts.path == f"/{key}"
    query = _query(stored)
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert 3600 - 120 <= int(query["X-Amz-Expires"]) <= 3600
    # And an HTTP GET of it (S3: moto here) answers the photo
    answer = requests.get(stored, timeout=10)
    assert answer.status_code == 200
    assert answer.content == photo
    # And the flow reads the photo back from the stored URL (the key taken from it, the URL never fetched)
    assert inputs.photo(me, stored, field="userPhotoUrl").data == photo


def test_the_url_expires_with_the_upload_not_a_fresh_ttl_later(aws: Any, monkeypatch: pytest.MonkeyPatch):
    # Given an upload made with a 15-minute lifetime, read when it has at most 15 minutes left
    setenv(monkeypatch, UPLOAD_TTL_S="900")
    me = uuid.uuid4()
    key = _uploaded(aws, me, support.picture())

    stored = inputs.accepted(me, f"upload:{key}", field="userPhotoUrl")[1]

    assert 900 - 120 <= int(_query(stored)["X-Amz-Expires"]) <= 900


def test_an_inline_photo_is_stored_as_it_came(aws: Any):
    value = support.data_uri(support.picture(), "image/png")
    assert inputs.accepted(uuid.uuid4(), value, field="userPhotoUrl")[1] == value


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda key, me, other: f"https://{BUCKET}.s3.amazonaws.com/{key}", id="plain-url-of-own-upload"),
        pytest.param(
            lambda key, me, other: f"https://s3.eu-west-1.amazonaws.com/{BUCKET}/{key}?X-Amz-Expires=1",
            id="path-style-regional",
        ),
        pytest.param(
            lambda key, me, other: f"https://{BUCKET}.s3.eu-west-1.amazonaws.com/{key}", id="virtual-host-regional"
        ),
    ],
)
def test_any_url_that_addresses_the_callers_own_upload_in_the_bucket_names_it(aws: Any, forge: Any):
    me = uuid.uuid4()
    photo = support.picture(12, 12)
    key = _uploaded(aws, me, photo)

    assert inputs.photo(me, forge(key, me, None), field="userPhotoUrl").data == photo


@pytest.mark.parametrize(
    ("forge", "message"),
    [
        pytest.param(lambda key, other: key.replace("uploads/", "upload:uploads/", 1), "no such upload", id="ref"),
        pytest.param(
            lambda key, other: f"https://{BUCKET}.s3.amazonaws.com/{key}", "no such upload", id="another-users"
        ),
        pytest.param(
            lambda key, other: f"https://{BUCKET}.s3.amazonaws.com/uploads/{other}/../{key.split('/', 1)[1]}",
            "no such upload",
            id="path-escape",
        ),
        pytest.param(
            lambda key, other: f"https://{BUCKET}.s3.amazonaws.com/uploads/{other}/%2E%2E/{key.split('/', 1)[1]}",
            "no such upload",
            id="encoded-path-escape",
        ),
        pytest.param(
            lambda key, other: f"https://other-bucket.s3.amazonaws.com/{key}", "URLs are not fetched", id="other-bucket"
        ),
        pytest.param(
            lambda key, other: f"http://{BUCKET}.s3.amazonaws.com/{key}", "URLs are not fetched", id="plain-http"
        ),
        pytest.param(
            lambda key, other: f"https://{BUCKET}.s3.amazonaws.com@evil.example/{key}",
            "URLs are not fetched",
            id="userinfo-trick",
        ),
        pytest.param(
            lambda key, other: f"https://{BUCKET}.s3.amazonaws.com.evil.example/{key}",
            "URLs are not fetched",
            id="lookalike-host",
        ),
        pytest.param(
            lambda key, other: f"https://evil.example/{BUCKET}/{key}", "URLs are not fetched", id="foreign-host"
        ),
    ],
)
def test_a_url_that_is_not_the_callers_own_upload_in_the_bucket_is_refused_and_never_fetched(
    aws: Any, forge: Any, message: str, monkeypatch: pytest.MonkeyPatch
):
    # Given another user's upload
    me, other = uuid.uuid4(), uuid.uuid4()
    key = _uploaded(aws, other, support.picture())
    fetched: list[str] = []
    monkeypatch.setattr(requests, "get", lambda url, *a, **k: fetched.append(url))
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, *a, **k: fetched.append(str(url)))

    # When the caller names it (or something else) by a URL, it is refused as no upload of theirs
    with pytest.raises(InvalidInput, match=message):
        inputs.photo(me, forge(key, other), field="userPhotoUrl")
    assert fetched == []
    assert uploads.key_of(me, forge(key, other)) is None


# -- through the local stack: the API, the stored row, an HTTP GET of it, and the flow ------------------


def test_a_generation_keeps_the_upload_as_a_url_the_frontend_can_show_and_the_flow_reads(
    api: ApiClient,
    tasks: Tasks,
    user: User,
    other_user: User,
    sql: support.Sql,
    local_stack: Any,
    flow_checks: FlowChecks,
):
    # Given a photo the user uploaded through the presigned POST
    photo = support.picture(40, 50, (20, 160, 90))
    ref = support.upload(api, user, photo, "image/png", "user_photo")
    key = ref.removeprefix("upload:")

    # When they start a generation with its uploadRef
    answer = api.post(
        "/generations", {"mode": "photo_text", "userPhotoUrl": ref, "prompt": "add a scarf"}, token=user.access_token
    )
    assert answer.status == 202, answer.body
    created = answer.json()

    # Then the row keeps a presigned GET URL of the upload (the local S3's, here), not the uploadRef
    stored = support.scalar(sql, "SELECT user_photo_url FROM generations WHERE id = %s", (created["id"],))
    assert stored.startswith(f"{local_stack.aws.endpoint}/") and f"/{key}?" in stored, stored
    assert "X-Amz-Signature=" in stored
    assert 3600 - 120 <= int(_query(stored)["X-Amz-Expires"]) <= 3600
    # And the API shows the same URL (a string the contract describes as the stored photo)
    assert created["userPhotoUrl"] == stored
    # And an HTTP GET of it, as the frontend's <img> does, answers the photo
    with urllib.request.urlopen(stored, timeout=10) as response:
        assert response.status == 200
        assert response.read() == photo

    # And the flow still reads the photo: the generation completes
    tasks("MarkProcessing", created["id"])
    tasks("Generate", created["id"])
    tasks("MarkCompleted", created["id"])
    done = api.get(f"/generations/{created['id']}", token=user.access_token).json()
    assert done["status"] == "completed", done["errorMessage"]

    # And the stored URL works as a photo of a new generation of the same user, and of no one else's
    again = api.post(
        "/generations", {"mode": "photo_text", "userPhotoUrl": stored, "prompt": "a hat"}, token=user.access_token
    )
    assert again.status == 202, again.body
    flow_checks.allow_in_flight(again.json()["id"])  # parked: it is never run
    theirs = api.post(
        "/generations", {"mode": "photo_text", "userPhotoUrl": stored, "prompt": "a hat"}, token=other_user.access_token
    )
    assert theirs.status == 422
    assert b"no such upload" in theirs.body
