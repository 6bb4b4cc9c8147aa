"""Image payloads: what a result weighs as the model returns it and as it is stored, and what a page of a
list weighs (no list carries an image)."""

from __future__ import annotations

import base64
import time
from functools import partial
from typing import Any

from bench import harness, images, seed, stats
from bench.report import Section


def stored_sizes() -> list[list[object]]:
    from imagify import media as app_images
    from imagify.ai.images.offline import OfflineImageModel
    from imagify.ai.images.protocol import ImageRequest

    rows: list[list[object]] = []
    samples: list[tuple[str, bytes]] = [
        (f"model PNG 1024x1024, noise {noise:g}", images.model_png(seed=10 + n, noise=noise))
        for n, noise in enumerate((3.0, 6.0, 9.0))
    ]
    offline = OfflineImageModel().generate(ImageRequest(instruction="a camel trench coat on a rainy street", images=()))
    samples.append(("offline preview (local stack)", offline.image.data))
    for name, png in samples:
        started = time.perf_counter()
        kept = app_images.compact(app_images.Image(data=png, mime="image/png"))
        took = (time.perf_counter() - started) * 1000
        as_uri = len(f"data:image/png;base64,{base64.b64encode(png).decode()}")
        rows.append(
            [
                name,
                stats.size(len(png)),
                stats.size(as_uri),
                kept.mime,
                stats.size(len(kept.data)),
                stats.size(len(kept.data_uri())),
                f"{len(kept.data_uri()) / as_uri:.0%}",
                f"{took:.0f}",
            ]
        )
    return rows


def serving_times(reps: int = 5) -> list[list[object]]:
    """What reading a stored result for ``GET .../image`` costs (``imagify.media.parse_stored``: base64, the
    type from the bytes, the structure checked) against decoding every pixel (``images.decoded``, the check a
    model's output gets once, when it comes in), by size of the stored WebP."""
    from imagify import media as app_images

    rows: list[list[object]] = []
    for side in (1024, 2048, 4096):
        kept = app_images.compact(app_images.Image(data=images.model_png(seed=side, side=side), mime="image/png"))
        stored = kept.data_uri()
        read = _median_ms(partial(app_images.parse_stored, stored), reps)
        decode = _median_ms(partial(app_images.decoded, kept.data), reps)
        rows.append([f"{side}x{side}", kept.mime, stats.size(len(stored)), f"{read:.1f}", f"{decode:.0f}"])
    return rows


def _median_ms(work: Any, reps: int) -> float:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[len(times) // 2]


def page_sizes(stack: Any, scene: Any) -> list[list[object]]:
    handlers = harness.Handlers(stack.template)
    hot = seed.HOT_USER
    generations = ("GET", "/generations", "/generations")
    items = ("GET", "/wardrobe/items", "/wardrobe/items")
    calls: list[tuple[str, str, tuple[str, str, str], dict[str, str] | None]] = [
        ("GET /generations?limit=20", "GenerationsListFunction", generations, {"limit": "20"}),
        ("GET /generations?limit=100", "GenerationsListFunction", generations, {"limit": "100"}),
        ("GET /wardrobe/items?limit=20", "WardrobeItemsListFunction", items, {"limit": "20"}),
        ("GET /wardrobe/items?limit=100", "WardrobeItemsListFunction", items, {"limit": "100"}),
        (
            "GET /generations/{id} (one with its image)",
            "GenerationGetFunction",
            ("GET", f"/generations/{scene.hot_images[0]}", "/generations/{generation_id}"),
            None,
        ),
        (
            "GET /wardrobe/items/{id} (one with its photo)",
            "WardrobeItemGetFunction",
            ("GET", f"/wardrobe/items/{scene.hot_photo_items[0]}", "/wardrobe/items/{item_id}"),
            None,
        ),
    ]
    rows: list[list[object]] = []
    for name, function, (method, path, resource), query in calls:
        response = handlers.call(function, harness.api_event(method, path, resource, hot, query=query))
        body = response.get("body") or ""
        rows.append([name, response["statusCode"], stats.size(len(body)), "yes" if "data:image" in body else "no"])
    return rows


def section(
    stored: list[list[object]], pages: list[list[object]] | None, serving: list[list[object]] | None = None
) -> Section:
    out = Section("payloads", "Image payloads")
    out.paragraph(
        "A result as the image model returns it (a 1024x1024 PNG of a photo-like picture: soft shapes under "
        "Gaussian sensor noise of the given standard deviation; a lossless PNG of a photo this size is 1.5-2 MB) "
        "and as the row keeps it (`imagify.media.compact`: WebP q90 when that is under 70 % of the PNG, "
        "as a data URI)."
    )
    out.table(
        stats.markdown_table(
            [
                "image",
                "PNG",
                "PNG as data URI",
                "stored as",
                "stored bytes",
                "stored data URI",
                "vs PNG URI",
                "compact ms",
            ],
            stored,
        )
    )
    if serving:
        out.paragraph(
            "Serving a stored result (`GET /generations/{id}/image`): reading it as the route does (base64, the "
            "type its bytes prove, its structure checked, no pixel decoded) against decoding every pixel, the "
            "check a model's output gets once when it comes in (median ms on this machine):"
        )
        out.table(stats.markdown_table(["side", "stored as", "stored", "read ms", "full decode ms"], serving, "llrrr"))
    if pages:
        out.paragraph(
            "Response bodies for the benchmark user (lists never select the image columns; one item's image "
            "comes with its own `GET`):"
        )
        out.table(stats.markdown_table(["request", "status", "body", "contains an image"], pages, "lrrl"))
    return out


# The frame of each size with the most pixels (21:9), as Gemini's image models draw it.
LARGEST_FRAME = {"1K": (1584, 672), "2K": (3168, 1344), "4K": (6336, 2688)}
LAMBDA_MAX_RESPONSE = 6_291_556


def result_sizes(stack: Any, db: Any, user: Any, noises: tuple[float, ...] = (3.0, 6.0, 9.0)) -> list[list[object]]:
    """The largest result of each size: the model's PNG at the size's largest frame (photo-like, at each noise
    level), as the row keeps it (``media.compact``), and what the two reads of it answer through their real
    handlers: ``GET /generations/{id}`` and ``GET /generations/{id}/image`` (Lambda's answer, base64 inside)."""
    import json

    from imagify import media as app_images

    handlers = harness.Handlers(stack.template)
    rows: list[list[object]] = []
    for size, (width, height) in LARGEST_FRAME.items():
        for noise in noises:
            png = images.encode(images.photo(width, height, seed=int(noise * 10), noise=noise), "PNG")
            started = time.perf_counter()
            kept = app_images.compact(app_images.Image(data=png, mime="image/png"))
            took = (time.perf_counter() - started) * 1000
            with db.connect() as conn:
                row = conn.execute(
                    "INSERT INTO generations (user_id, mode, status, prompt, result_image_base64) "
                    "VALUES (%s, 'from_prompt', 'completed', 'bench', %s) RETURNING id",
                    (user, kept.data_uri()),
                ).fetchone()
            path = f"/generations/{row['id']}"
            detail = handlers.call(
                "GenerationGetFunction", harness.api_event("GET", path, "/generations/{generation_id}", user)
            )
            image = handlers.call(
                "GenerationImageFunction",
                harness.api_event("GET", f"{path}/image", "/generations/{generation_id}/image", user),
            )
            answer = len(json.dumps(image))
            rows.append(
                [
                    f"{size} {width}x{height}, noise {noise:g}",
                    stats.size(len(png)),
                    f"{kept.mime} {stats.size(len(kept.data))}",
                    f"{took:.0f}",
                    stats.size(len(detail.get("body") or "")),
                    "yes" if "data:image" in (detail.get("body") or "") else "no (resultImageUrl)",
                    f"{image['statusCode']}: {stats.size(answer)} ({answer / LAMBDA_MAX_RESPONSE:.0%} of 6 MB)",
                ]
            )
    return rows


def sizes_section(rows: list[list[object]]) -> Section:
    out = Section("sizes", "Results at 1K, 2K and 4K")
    out.paragraph(
        "The largest result each size produces: Gemini's frame with the most pixels for that size (21:9), a "
        "photo-like picture at three noise levels, as a lossless PNG (what the model answers), as the row keeps it "
        "(`media.compact`: WebP q90, lower qualities and then fewer pixels only if it would pass "
        "`media.MAX_STORED_BYTES`, 4 MiB), and what each read answers through its real handler: "
        "`GET /generations/{id}` carries the image inline only up to 2 MB as a data URI, and the image route's "
        "Lambda answer (the bytes base64-encoded in the proxy response) must stay under Lambda's 6 MB."
    )
    out.table(
        stats.markdown_table(
            ["result", "model PNG", "stored", "compact ms", "GET /generations/{id}", "image inline", "image route"],
            rows,
        )
    )
    return out
