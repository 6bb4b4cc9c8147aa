"""Init and first request of every function, from the artifact ``make build`` makes, on python3.13.

Each sample is a fresh ``python3.13 -I -S -B`` with ``sys.path`` as Lambda's (the built function, then the built
layer) and Lambda's environment (the template's variables, the local stack's AWS, its Parameters and Secrets
extension, Postgres on a local socket). Side by side in one run, per function:

- *init*: ``import app``, against the bare import of what every API function cannot avoid (Powertools'
  resolver, pydantic's models and fields, psycopg, PyJWT; for Generate, google-genai too), each in its own
  interpreter;
- *first* request after init against a *warm* one (the median of the next three), on demand;
- the same under SnapStart as Lambda runs it: init, the before-snapshot hooks (*prime*, free at restore), the
  after-restore hooks, then the first request after the restore against a warm one;
- and that again through PgBouncer (``bench/pooler.py``, when installed), as deployed behind Neon's pooled
  endpoint: the restored environment's new connection is handed a server backend that has served before.

Each function is measured on the sample event of its route's work (``events/<function>/``), on rows the
benchmark's user owns (``work_events``), so that the first request and the warm ones do the same work.
"""

from __future__ import annotations

import glob
import json
import os
import random
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

from bench import coldstart, layer, seed, stats
from bench.pg import BenchDatabase
from bench.report import Section

ROOT = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).resolve().parent / "_initchild.py"
# pydantic.main and pydantic.fields, not pydantic: `import pydantic` alone loads next to nothing (its names load
# lazily), while any model loads pydantic.main, where BaseModel lives, and a model with a field pydantic.fields
# (and with it pydantic.types and annotated_types, ~25 ms), as `from pydantic import BaseModel, Field` does.
UNAVOIDABLE = ["aws_lambda_powertools.event_handler", "pydantic.main", "pydantic.fields", "psycopg", "jwt"]
WITH_GENAI = [*UNAVOIDABLE, "google.genai"]
WARM = 3
# The sample that does the route's work, where a function's first sample (by name) is a refusal.
WORK_SAMPLES = {"admin_users_list": "search", "uploads_create": "user-photo"}
# Reads and edits are measured on a row the benchmark's user owns (the same work on every request); a request
# that changes a row once (a delete, a cancel, a save, a rerun, a redelivery) keeps its sample's unknown id.
ON_OWN_ROWS = ("GET", "PATCH")


def python313() -> str:
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found = [os.environ.get("PYTHON313", ""), *sorted(glob.glob(str(pyenv / "versions/3.13*/bin/python3.13")))]
    for candidate in filter(None, found):
        if Path(candidate).exists():
            return candidate
    raise RuntimeError("no python3.13 (set PYTHON313): the init benchmark runs the built artifact on it")


def ensure_build(root: Path, say: Any) -> Path:
    """``root``'s artifact, made by its ``make build`` when it has none."""
    build = root / ".aws-sam" / "build"
    if not (build / "CommonLayer" / "python" / "imagify").is_dir():
        say(f"  make build in {root} (the artifact the init benchmark runs) ...")
        subprocess.run(["make", "--no-print-directory", "build"], cwd=root, check=True, capture_output=True)
    return build


def checkout(ref: str, destination: Path) -> Path:
    """A worktree of the repository at ``ref`` (its own ``make build`` makes its artifact)."""
    if not destination.exists():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(destination), ref],
            check=True,
            capture_output=True,
        )
    return destination


def work_events(functions: list[Any], db: BenchDatabase, directory: Path) -> dict[str, Path]:
    """Per function, the event its requests send: its work sample, with a read's or an edit's path id replaced
    by the id of a row of the benchmark's user (an advisor session and a webhook endpoint are added for it), and
    the authorizer's token by a live session of that user (so it allows, as it does for nearly every request)."""
    owned = _owned_rows(db)
    session_token = _live_session(db)
    directory.mkdir(parents=True, exist_ok=True)
    chosen: dict[str, Path] = {}
    for function in functions:
        sample = coldstart.first_event(function.code_uri)
        if function.code_uri.name in WORK_SAMPLES:
            sample = sample.with_name(f"{WORK_SAMPLES[function.code_uri.name]}.json")
        text = sample.read_text()
        event = json.loads(text)
        if event.get("type") == "REQUEST":  # a Lambda authorizer's event
            text = text.replace(event["headers"]["Authorization"].partition(" ")[2], session_token)
        elif event.get("httpMethod") in ON_OWN_ROWS:
            for name, value in (event.get("pathParameters") or {}).items():
                if name in owned:
                    text = text.replace(value, str(owned[name]))
        chosen[function.logical_id] = directory / f"{function.logical_id}.json"
        chosen[function.logical_id].write_text(text)
    return chosen


def _owned_rows(db: BenchDatabase) -> dict[str, Any]:
    hot = seed.HOT_USER
    tables = {
        "generation_id": "generations WHERE result_image_base64 IS NOT NULL AND",
        "item_id": "wardrobe_items WHERE image_base64 IS NOT NULL AND",
        "collection_id": "wardrobe_collections WHERE",
        "session_id": "advisor_sessions WHERE",
        "webhook_id": "webhook_endpoints WHERE",
    }
    with db.connect() as conn, conn.transaction():
        conn.execute(
            "INSERT INTO advisor_sessions (user_id, user_message, ai_response, extracted_prompt) "
            "SELECT %s, 'What goes with a camel trench?', 'Dark denim and white sneakers.', "
            "'a camel trench coat over dark denim' WHERE NOT EXISTS (SELECT FROM advisor_sessions WHERE user_id = %s)",
            (hot, hot),
        )
        conn.execute(
            "INSERT INTO webhook_endpoints (user_id, url, events, secret) "
            "SELECT %s, 'https://hooks.example.com/imagify', '{generation.completed}', %s "
            "WHERE NOT EXISTS (SELECT FROM webhook_endpoints WHERE user_id = %s)",
            (hot, "whsec_" + "A" * 43 + "=", hot),
        )
        found = {
            name: conn.execute(f"SELECT id FROM {rows} user_id = %s ORDER BY created_at LIMIT 1", (hot,)).fetchone()
            for name, rows in tables.items()
        }
    missing = [name for name, row in found.items() if row is None]
    assert not missing, f"the benchmark's user has no row for {missing}"
    return {name: row["id"] for name, row in found.items() if row}


def _live_session(db: BenchDatabase) -> str:
    """The token of a session of the benchmark's user that expires in 30 days: one the authorizer looks up and
    leaves as it is (no write), request after request."""
    from imagify.identity.sessions import SESSION_PREFIX, stored_session_token

    token = SESSION_PREFIX + "benchmark".ljust(43, "0")
    with db.connect() as conn, conn.transaction():
        conn.execute(
            "INSERT INTO sessions (session_token, user_id, expires) "
            "VALUES (%s, %s, (now() AT TIME ZONE 'UTC') + interval '30 days') "
            "ON CONFLICT (session_token) DO UPDATE SET expires = excluded.expires",
            (stored_session_token(token), seed.HOT_USER),
        )
    return token


@dataclass
class Figures:
    function: str
    init_ms: list[float] = field(default_factory=list)
    bare_ms: list[float] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)
    warm_ms: list[float] = field(default_factory=list)
    snap_init_ms: list[float] = field(default_factory=list)
    prime_ms: list[float] = field(default_factory=list)
    restore_ms: list[float] = field(default_factory=list)
    restored_first_ms: list[float] = field(default_factory=list)
    restored_warm_ms: list[float] = field(default_factory=list)
    pooled_restore_ms: list[float] = field(default_factory=list)
    pooled_first_ms: list[float] = field(default_factory=list)
    pooled_warm_ms: list[float] = field(default_factory=list)
    loaded_at_init: set[str] = field(default_factory=set)
    outcomes: set[str] = field(default_factory=set)


def _child(python: str, args: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        done = subprocess.run(
            [python, "-I", "-S", "-B", str(CHILD), json.dumps({**args, "out": out.name})],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=180,
            check=False,
        )
        text = out.read()
    if done.returncode != 0 or not text:
        raise RuntimeError(f"init of {args.get('name')} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(text)
    return report


def run(
    cold: coldstart.ColdStarts,
    functions: list[Any],
    events: dict[str, Path],
    reps: int,
    extension_port: int,
    say: Any,
    *,
    root: Path = ROOT,
    pooled_parameter: str | None = None,
) -> list[Figures]:
    """The figures of ``root``'s artifact (this tree's, or a ``checkout`` of another commit); restored through
    the pooler too when ``pooled_parameter`` names the SSM parameter that holds its URL."""
    python = python313()
    build = ensure_build(root, say)
    built_layer = str(build / "CommonLayer" / "python")
    found = {f.logical_id: Figures(f.logical_id) for f in functions}
    deployment = layer.Deployment(root=build)  # (its paths are overridden: the build's are per function)
    for rep in range(reps):
        # Each round in its own order: a function measured after another leaves the machine busy (AuthLogin's
        # bcrypt) is not always the same one.
        for function in random.Random(rep).sample(functions, len(functions)):
            figures = found[function.logical_id]
            if not (build / function.logical_id).is_dir():
                continue  # (a function the other commit did not have)
            task = str(build / function.logical_id)
            env = cold.environment(function, deployment) | {
                "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": str(extension_port),
                "LAMBDA_TASK_ROOT": task,
            }
            bare = WITH_GENAI if function.logical_id == "GenerationGenerateFunction" else UNAVOIDABLE
            base = {"task": task, "layer": built_layer, "name": function.name, "memory": function.memory_size}
            figures.bare_ms.append(_child(python, {**base, "bare": bare}, env)["init_s"] * 1000)
            args = {**base, "handler": function.handler, "event": str(events[function.logical_id])}
            on_demand = _child(python, {**args, "warm": WARM}, env | {"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand"})
            figures.init_ms.append(on_demand["init_s"] * 1000)
            figures.first_ms.append(on_demand["first_s"] * 1000)
            figures.warm_ms.append(on_demand["warm_s"] * 1000)
            figures.loaded_at_init.update(on_demand["loaded_at_init"])
            figures.outcomes.update(on_demand["outcomes"])
            snap_env = env | {"AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"}
            snap = _child(python, {**args, "warm": WARM}, snap_env)
            figures.snap_init_ms.append(snap["init_s"] * 1000)
            figures.prime_ms.append(snap["prime_s"] * 1000)
            figures.restore_ms.append(snap["restore_s"] * 1000)
            figures.restored_first_ms.append(snap["first_s"] * 1000)
            figures.restored_warm_ms.append(snap["warm_s"] * 1000)
            if pooled_parameter and "DATABASE_URL_PARAMETER" in env:
                pooled = _child(python, {**args, "warm": WARM}, snap_env | {"DATABASE_URL_PARAMETER": pooled_parameter})
                figures.pooled_restore_ms.append(pooled["restore_s"] * 1000)
                figures.pooled_first_ms.append(pooled["first_s"] * 1000)
                figures.pooled_warm_ms.append(pooled["warm_s"] * 1000)
        say(f"  init: round {rep + 1}/{reps} done")
    return [figures for figures in found.values() if figures.init_ms]


def _ms(values: list[float]) -> str:
    return stats.ms(median(values)) if values else "-"


def _ratio(value: list[float], base: list[float]) -> str:
    return f"{median(value) / median(base):.2f}x" if value and base and median(base) > 0 else "-"


def section(figures: list[Figures], reps: int, before: tuple[str, list[Figures]] | None = None) -> Section:
    out = Section("init", "Init and first request, from the build")
    out.paragraph(
        f"{reps} samples per function, each a fresh `python3.13 -I -S -B` running the artifact `make build` made "
        "(`.aws-sam/build`: the function, then the layer, hash-based bytecode), with Lambda's environment and the "
        "template's variables, secrets from the local Parameters and Secrets extension (moto behind it), Postgres on "
        "a local socket. *bare* = importing only what the function cannot avoid (Powertools' resolver, pydantic's "
        "models and fields, psycopg, PyJWT; Generate: and google-genai), in an interpreter of its own; *init* = "
        "`import app`; *first* = the first request after init (settings, secrets, the connection, the work); *warm* ="
        f" the median of the {WARM} next. SnapStart: *prime* = the before-snapshot hooks (done once per version, free "
        "at restore); *restore* = the after-restore hooks (dropping what the snapshot cached, then connecting and "
        "reading the keys again, as Lambda's restore phase does before any request); *restored first* = the first "
        "request after them. *Pooled*: the same restore and first request through PgBouncer (session mode) in front "
        "of the same Postgres, as deployed behind Neon's pooled endpoint, where a new connection is handed a server "
        "backend that has served before (its catalog caches warm); *pooled/warm* against warm requests through it. "
        "Medians, ms."
    )
    out.table(_table(figures))
    if before is not None:
        ref, earlier = before
        out.paragraph(f"Before: the same, in the same run, for the artifact of `{ref}`:")
        out.table(_table(earlier))
    return out


def _table(figures: list[Figures]) -> str:
    rows = []
    for f in figures:
        rows.append(
            [
                f.function.removesuffix("Function"),
                stats.ms(median(f.bare_ms)),
                stats.ms(median(f.init_ms)),
                _ratio(f.init_ms, f.bare_ms),
                stats.ms(median(f.first_ms)),
                stats.ms(median(f.warm_ms)),
                _ratio(f.first_ms, f.warm_ms),
                stats.ms(median(f.prime_ms)),
                stats.ms(median(f.restore_ms)),
                stats.ms(median(f.restored_first_ms)),
                _ratio(f.restored_first_ms, f.restored_warm_ms),
                _ms(f.pooled_restore_ms),
                _ms(f.pooled_first_ms),
                _ratio(f.pooled_first_ms, f.pooled_warm_ms),
                ", ".join(sorted(f.loaded_at_init)) or "-",
                "/".join(sorted(f.outcomes)),
            ]
        )
    return stats.markdown_table(
        [
            "function",
            "bare",
            "init",
            "init/bare",
            "first",
            "warm",
            "first/warm",
            "prime",
            "restore",
            "restored first",
            "restored/warm",
            "pooled restore",
            "pooled first",
            "pooled/warm",
            "heavy at init",
            "answers",
        ],
        rows,
    )
