"""What the wardrobe, collections and advisor tests share: images, uploads, finished generations, SQL."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from PIL import Image as PILImage

from imagify import db
from tests.fakes.gemini import png
from tests.support.api import ApiClient, ApiResponse, User
from tests.support.images import data_uri


def png_uri(colour: tuple[int, int, int] = (200, 30, 60), size: tuple[int, int] = (24, 32)) -> str:
    return data_uri(png(size[0], size[1], colour))


def jpeg(colour: tuple[int, int, int] = (10, 120, 30)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (20, 30), colour).save(out, "JPEG")
    return out.getvalue()


def ok(answer: ApiResponse, status: int = 200) -> Any:
    assert answer.status == status, (answer.status, answer.body[:500])
    return answer.json()


def upload(api: ApiClient, user: User, data: bytes, mime: str = "image/png") -> str:
    """Upload a photo as the frontend does (a ticket, then the presigned POST to S3): its ``uploadRef``."""
    ticket = ok(
        api.post(
            "/uploads",
            {"purpose": "user_photo", "contentType": mime, "contentLength": len(data)},
            token=user.access_token,
        ),
        201,
    )
    sent = requests.post(ticket["uploadUrl"], data=ticket["fields"], files={"file": ("photo", data, mime)}, timeout=10)
    assert sent.status_code in (200, 201, 204), sent.text
    return str(ticket["uploadRef"])


def wait_for_generation(
    api: ApiClient,
    user: User,
    generation_id: str,
    until: Sequence[str] = ("completed", "failed"),
    timeout_s: float = 20,
) -> dict[str, Any]:
    """Poll ``GET /generations/{id}`` until its status is one of ``until``."""
    deadline = time.monotonic() + timeout_s
    while True:
        generation: dict[str, Any] = ok(api.get(f"/generations/{generation_id}", token=user.access_token))
        if generation["status"] in until:
            return generation
        assert time.monotonic() < deadline, f"still {generation['status']} after {timeout_s}s"
        time.sleep(0.05)


def completed_generation(api: ApiClient, user: User, prompt: str = "a red wool coat") -> dict[str, Any]:
    """A generation of the user's, run to ``completed`` through the state machine (the offline image model)."""
    started = ok(api.post("/generations", {"mode": "from_prompt", "prompt": prompt}, token=user.access_token), 202)
    generation = wait_for_generation(api, user, started["id"])
    assert generation["status"] == "completed", generation
    return generation


def all_at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs on a thread each, released together; each thread's connection is closed at its end."""
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return job()
        except Exception as error:  # reported by the test, with the others' outcomes
            return error
        finally:
            db.reset()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))
