"""Upload tickets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from imagify.models.uploads import UploadInput, UploadTicket
from tests.unit.models.support import CREATED


@pytest.mark.parametrize(
    ("length", "accepted"), [(0, False), (1, True), (10 * 1024 * 1024, True), (10 * 1024 * 1024 + 1, False)]
)
def test_an_upload_is_at_most_10_mib(length, accepted):
    body = {"purpose": "item_photo", "contentType": "image/webp", "contentLength": length}
    if accepted:
        assert UploadInput.model_validate(body).content_length == length
    else:
        with pytest.raises(ValidationError):
            UploadInput.model_validate(body)


@pytest.mark.parametrize(
    "change", [{"contentType": "image/gif"}, {"purpose": "avatar"}, {"contentLength": "1024"}, {"contentLength": 1.5}]
)
def test_an_upload_takes_only_the_listed_types_purposes_and_an_integer_size(change):
    body = {"purpose": "user_photo", "contentType": "image/png", "contentLength": 1024} | change
    with pytest.raises(ValidationError):
        UploadInput.model_validate(body)


def test_an_upload_ticket_is_camel_case():
    ticket = UploadTicket(
        upload_url="https://bucket.s3.amazonaws.com/",
        fields={"key": "uploads/u/1", "Content-Type": "image/png"},
        upload_ref="uploads/u/1",
        expires_at=CREATED,
    )
    body = ticket.model_dump(mode="json")
    assert set(body) == {"uploadUrl", "fields", "uploadRef", "expiresAt"}
    # And the form fields are passed through as given, not re-cased
    assert body["fields"] == {"key": "uploads/u/1", "Content-Type": "image/png"}
