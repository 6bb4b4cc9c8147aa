"""Bedrock Runtime's Converse wire format, for a ScriptedServer standing in for bedrock-runtime.<region>.amazonaws.com.

The real boto3 ``bedrock-runtime`` client is pointed at the server (``endpoint_url=server.url``, or
``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``); it sends ``POST /model/{modelId}/converse`` with a JSON body whose
blobs (image bytes) are base64, and reads errors from the ``x-amzn-ErrorType`` header.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.config import Config

from tests.fakes.http import Recorded, Reply

ERROR_TYPES = {
    400: "ValidationException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}


def client(url: str, *, attempts: int = 1) -> Any:
    """The real boto3 client, pointed at a fake (one attempt: a test sees each call as one request)."""
    return boto3.client(
        "bedrock-runtime",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}, read_timeout=10),
    )


def text_reply(text: str) -> Reply:
    """A successful Converse answer with one text block."""
    return Reply(
        200,
        {
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
            "metrics": {"latencyMs": 1},
        },
    )


def error_reply(status: int, error_type: str | None = None, message: str | None = None) -> Reply:
    """A Bedrock error: the HTTP status, ``x-amzn-ErrorType`` and ``{"message": ...}``."""
    kind = error_type or ERROR_TYPES[status]
    return Reply(status, {"message": message or f"fake {kind}"}, headers={"x-amzn-ErrorType": kind})


def model_id_of(request: Recorded) -> str:
    """The model id of a ``/model/{modelId}/converse`` request (the client URL-encodes it)."""
    prefix, suffix = "/model/", "/converse"
    assert request.method == "POST", request.method
    assert request.path.startswith(prefix) and request.path.endswith(suffix), request.path
    return unquote(request.path[len(prefix) : -len(suffix)])


def user_blocks(request: Recorded) -> list[dict[str, Any]]:
    """The content blocks of the (single) user message."""
    messages = request.body["messages"]
    assert [m["role"] for m in messages] == ["user"], messages
    return list(messages[0]["content"])


def system_text(request: Recorded) -> str:
    return "\n".join(block["text"] for block in request.body.get("system", []))


def images_of(request: Recorded) -> list[tuple[str, bytes]]:
    """Each image block's format and decoded bytes, in order."""
    return [
        (block["image"]["format"], base64.b64decode(block["image"]["source"]["bytes"]))
        for block in user_blocks(request)
        if "image" in block
    ]


def texts_of(request: Recorded) -> list[str]:
    return [block["text"] for block in user_blocks(request) if "text" in block]
