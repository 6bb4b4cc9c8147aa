"""What the generation-flow tests share: uploads to the local S3, waiting for a generation or an execution,
the fake Gemini wired into the handlers' settings, and the checks every test ends with.

The handlers run in this process and read their settings from ``os.environ`` once (cached), so a test
that changes a variable does it with :func:`set_env`, which makes them read it again (``clients.reset()``).
"""

from __future__ import annotations

import base64
import io
import json
import time
import urllib.request
import uuid
from collections.abc import Iterable
from typing import Any

import pytest
from PIL import Image

from tests.support.api import ApiClient, ApiResponse, User
from tests.support.env import setenv
from tests.support.images import data_uri as data_uri
from tests.support.images import decoded_data_uri as decoded_data_uri
from tests.support.sql import Sql as Sql
from tests.support.sql import rows as rows
from tests.support.sql import scalar as scalar

TERMINAL = ("completed", "failed")
IN_FLIGHT = ("pending", "processing")


def set_env(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    setenv(monkeypatch, **variables)


def use_fake_gemini(monkeypatch: pytest.MonkeyPatch, url: str, *, timeout_s: float = 10) -> None:
    """The real google-genai client, pointed at a local server speaking Gemini's wire format."""
    set_env(
        monkeypatch,
        IMAGE_PROVIDER="gemini",
        GEMINI_API_KEY="test",
        GEMINI_BASE_URL=url,
        GEMINI_TIMEOUT_S=str(timeout_s),
    )


# -- images ---------------------------------------------------------------------------------------------


def picture(width: int = 48, height: int = 64, colour: tuple[int, int, int] = (30, 90, 200), fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, fmt)
    return out.getvalue()


def sdk_bytes(encoded: str) -> bytes:
    """Bytes as the google-genai SDK sends them in ``inlineData.data``: URL-safe base64, maybe unpadded."""
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))


def sent_images(request_body: Any) -> list[tuple[str, bytes]]:
    """The (mime type, bytes) of each image part of a generateContent request, in order."""
    parts = [part for content in request_body["contents"] for part in content["parts"]]
    found = []
    for part in parts:
        inline = part.get("inlineData") or part.get("inline_data")
        if inline:
            found.append((inline.get("mimeType") or inline.get("mime_type"), sdk_bytes(inline["data"])))
    return found


def sent_text(request_body: Any) -> list[str]:
    parts = [part for content in request_body["contents"] for part in content["parts"]]
    return [part["text"] for part in parts if "text" in part]


# -- uploads --------------------------------------------------------------------------------------------


def _multipart(fields: dict[str, str], data: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks: list[bytes] = []
    for name, value in fields.items():
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    chunks.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
    )
    chunks.append(data + f"\r\n--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def ask_upload(
    api: ApiClient, user: User, size: int, content_type: str = "image/png", purpose: str = "user_photo"
) -> ApiResponse:
    body = {"purpose": purpose, "contentType": content_type, "contentLength": size}
    return api.post("/uploads", body, token=user.access_token)


def upload(
    api: ApiClient, user: User, data: bytes, content_type: str = "image/png", purpose: str = "user_photo"
) -> str:
    """``POST /uploads``, then the file posted to the presigned URL as a browser would; its ``uploadRef``."""
    ticket = ask_upload(api, user, len(data), content_type, purpose)
    assert ticket.status == 201, ticket.body
    body = ticket.json()
    form, form_type = _multipart(body["fields"], data, content_type)
    request = urllib.request.Request(body["uploadUrl"], data=form, method="POST", headers={"Content-Type": form_type})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201, 204), response.status
    ref = body["uploadRef"]
    assert isinstance(ref, str)
    assert ref.startswith(f"upload:uploads/{user.id}/{purpose}/")
    return ref


# -- waiting --------------------------------------------------------------------------------------------


def wait_for_generation(api: ApiClient, user: User, generation_id: str, *, timeout_s: float = 60) -> dict[str, Any]:
    """Poll ``GET /generations/{id}`` until it is completed or failed; its last body."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = api.get(f"/generations/{generation_id}", token=user.access_token)
        assert answer.status == 200, answer.body
        body: dict[str, Any] = answer.json()
        if body["status"] in TERMINAL:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"generation {generation_id} still {body['status']} after {timeout_s}s")
        time.sleep(0.05)


def wait_for(condition: Any, *, timeout_s: float = 10, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(0.02)


PARKED_PREFIX = "parked-"


def running_executions(sfn: Any, *, parked: bool = True) -> list[str]:
    """Executions still running, of every state machine (or only of those that do work)."""
    arns = []
    for machine in sfn.list_state_machines()["stateMachines"]:
        if not parked and machine["name"].startswith(PARKED_PREFIX):
            continue
        listed = sfn.list_executions(stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING")
        arns += [item["executionArn"] for item in listed["executions"]]
    return arns


def wait_for_executions(sfn: Any, *, timeout_s: float = 60, parked: bool = True) -> list[str]:
    """Wait until no execution runs; those still running at the deadline are stopped and returned."""
    deadline = time.monotonic() + timeout_s
    while running := running_executions(sfn, parked=parked):
        if time.monotonic() > deadline:
            for arn in running:
                sfn.stop_execution(executionArn=arn, error="TestTimeout", cause="still running after the test")
            return running
        time.sleep(0.05)
    return []


def wait_for_execution(sfn: Any, arn: str, *, timeout_s: float = 60) -> str:
    """The final status of one execution."""
    deadline = time.monotonic() + timeout_s
    while (status := str(sfn.describe_execution(executionArn=arn)["status"])) == "RUNNING":
        if time.monotonic() > deadline:
            raise AssertionError(f"execution {arn} still running after {timeout_s}s")
        time.sleep(0.05)
    return status


# -- the database ---------------------------------------------------------------------------------------


def balance(sql: Sql, user: User) -> int:
    return int(scalar(sql, "SELECT tokens FROM users WHERE id = %s", (user.id,)))


def ledger_kinds(sql: Sql, *, generation_id: str | None = None, user: User | None = None) -> list[str]:
    """The ledger rows of a generation (or of a user's generations), by kind, oldest first."""
    if generation_id is not None:
        found = rows(
            sql,
            "SELECT kind::text AS kind FROM token_transactions WHERE generation_id = %s ORDER BY created_at, kind",
            (generation_id,),
        )
    else:
        assert user is not None
        found = rows(
            sql,
            "SELECT kind::text AS kind FROM token_transactions WHERE user_id = %s "
            "AND kind IN ('generation_charge', 'generation_refund') ORDER BY created_at, kind",
            (user.id,),
        )
    return [row["kind"] for row in found]


def set_balance(sql: Sql, user: User, tokens: int) -> None:
    """An admin's adjustment through the ledger, so the balance still equals the sum of the ledger."""
    from imagify.billing import ledger

    with sql.transaction():
        delta = tokens - balance(sql, user)
        ledger.adjust(sql, uuid.UUID(user.id), delta, admin_id=uuid.UUID(user.id), note="test setup")


def problems(sql: Sql, allowed_in_flight: Iterable[str] = ()) -> list[str]:
    """What breaks the flow's invariants: a balance that is not its ledger's sum, a generation left in
    flight, a failed one not refunded, a completed one refunded, a charge or refund recorded twice."""
    found = []
    for row in rows(
        sql,
        "SELECT u.email, u.tokens, COALESCE(sum(t.delta), 0)::int AS ledger FROM users u "
        "LEFT JOIN token_transactions t ON t.user_id = u.id GROUP BY u.id, u.email, u.tokens",
    ):
        if row["tokens"] != row["ledger"]:
            found.append(f"{row['email']}: tokens {row['tokens']} but the ledger sums to {row['ledger']}")
    allowed = {str(item) for item in allowed_in_flight}
    generations = rows(
        sql,
        "SELECT g.id::text AS id, g.status::text AS status, "
        "count(*) FILTER (WHERE t.kind = 'generation_charge') AS charges, "
        "count(*) FILTER (WHERE t.kind = 'generation_refund') AS refunds "
        "FROM generations g LEFT JOIN token_transactions t ON t.generation_id = g.id GROUP BY g.id, g.status",
    )
    for row in generations:
        where = f"generation {row['id']} ({row['status']})"
        if row["status"] in IN_FLIGHT and row["id"] not in allowed:
            found.append(f"{where} was left in flight")
        if row["charges"] > 1 or row["refunds"] > 1:
            found.append(f"{where}: {row['charges']} charges and {row['refunds']} refunds")
        if row["status"] == "failed" and row["refunds"] != row["charges"]:
            found.append(f"{where} was not refunded")
        if row["status"] == "completed" and row["refunds"]:
            found.append(f"{where} was refunded")
    return found


def json_cause(message: str, error_type: str = "GeminiUnavailable") -> str:
    """A ``Catch``'s ``Cause`` for a Lambda error, as Step Functions writes it."""
    return json.dumps({"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []})
