"""Cold starts: a fresh interpreter per sample that imports a function's handler module, as the Lambda
runtime does, and answers the first sample event of ``events/<function>/``.

The code runs from a deployment-shaped copy (:mod:`bench.layer`), with Lambda's environment: the
template's variables, the trace header Lambda sets, the database URL read from SSM and the JWT keys
from Secrets Manager (through the local stack's Parameters and Secrets extension, moto behind it), the
image model set to Gemini. The baseline is an empty handler started the same way: what the interpreter
and the runtime's import cost anyway.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

from bench import layer, stats
from bench.report import Section

ROOT = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).resolve().parent / "_coldchild.py"
EVENTS = ROOT / "events"
EMPTY = "_empty"
TRACE_ID = "Root=1-67a1b2c3-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1"
# Functions where a cold start is felt by a person (or by the flow), used where a sample is enough.
REPRESENTATIVE = (
    "HealthFunction",
    "AuthorizerFunction",
    "GenerationsListFunction",
    "GenerationsCreateFunction",
    "GenerationGenerateFunction",
    "WardrobeItemsCreateFunction",
)


@dataclass
class Sample:
    total_ms: float
    import_ms: float
    invoke_ms: float
    startup_ms: float
    outcome: str
    loaded_at_import: list[str]
    loaded_after_invoke: list[str]


@dataclass
class Result:
    function: str
    samples: list[Sample] = field(default_factory=list)
    packages_import: dict[str, float] = field(default_factory=dict)  # ms of own import time per package
    packages_invoke: dict[str, float] = field(default_factory=dict)

    def summary(self, what: str) -> stats.Summary:
        return stats.summarize([getattr(s, what) for s in self.samples])

    @property
    def outcome(self) -> str:
        return ",".join(sorted({s.outcome for s in self.samples}))


def first_event(code_uri: Path) -> Path:
    found = sorted((EVENTS / code_uri.name).glob("*.json"))
    if not found:
        raise FileNotFoundError(f"no sample event in events/{code_uri.name}/")
    return found[0]


class ColdStarts:
    def __init__(
        self,
        template: Any,
        aws_endpoint: str,
        workdir: Path,
        *,
        tracing: bool = True,
        overrides: dict[str, str] | None = None,
    ) -> None:
        self.overrides = overrides or {}
        self.template = template
        self.aws_endpoint = aws_endpoint
        self.workdir = workdir
        self.tracing = tracing
        workdir.mkdir(parents=True, exist_ok=True)
        self.empty_event = workdir / "empty-event.json"
        self.empty_event.write_text("{}")

    def build(self, name: str, source: Path = ROOT) -> layer.Deployment:
        dirs = sorted({f.code_uri for f in self.template.functions.values()})
        deployment = layer.build(self.workdir / name, dirs, source)
        empty = deployment.task / EMPTY
        empty.mkdir(parents=True)
        (empty / "app.py").write_text("def handler(event, context):\n    return {'statusCode': 200}\n")
        return deployment

    def environment(self, function: Any | None, deployment: layer.Deployment) -> dict[str, str]:
        name = function.name if function else "bench-empty"
        memory = function.memory_size if function else 512
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "HOME": tempfile.gettempdir(),
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
            "LAMBDA_TASK_ROOT": str(deployment.task),
            "LAMBDA_RUNTIME_DIR": str(deployment.runtime),
            "_HANDLER": "app.handler",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "_X_AMZN_TRACE_ID": TRACE_ID,
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        }
        if function is not None:
            env.update(function.environment)
            # Local stand-ins where AWS would send mail or need a key; the model is Gemini, as deployed.
            env.update({"EMAIL_DELIVERY": "log", "IMAGE_PROVIDER": "gemini", "S3_PUBLIC_ENDPOINT": self.aws_endpoint})
        if not self.tracing:
            env["POWERTOOLS_TRACE_DISABLED"] = "true"
        if function is not None:
            env.update(self.overrides)
        return env

    def run(
        self, function: Any | None, deployment: layer.Deployment, *, importtime: bool = False
    ) -> tuple[Sample, str]:
        task = deployment.task / (function.code_uri.name if function else EMPTY)
        event = first_event(function.code_uri) if function else self.empty_event
        with tempfile.NamedTemporaryFile("r", suffix=".json", dir=self.workdir) as out:
            args = {
                "task": str(task),
                "layer": str(deployment.layer),
                "runtime": str(deployment.runtime),
                "handler": function.handler if function else "app.handler",
                "event": str(event),
                "name": function.name if function else "bench-empty",
                "memory": function.memory_size if function else 512,
                "timeout": function.timeout if function else 15,
                "out": out.name,
            }
            command = [sys.executable, "-I", "-S", "-B"]
            if importtime:
                command += ["-X", "importtime"]
            command += [str(CHILD), json.dumps(args)]
            spawned = time.time()
            done = subprocess.run(
                command,
                env=self.environment(function, deployment),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                timeout=180,
                check=False,
            )
            text = out.read()
        if done.returncode != 0 or not text:
            raise RuntimeError(f"cold start of {args['name']} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        report = json.loads(text)
        sample = Sample(
            total_ms=(report["answered_wall"] - spawned) * 1000,
            import_ms=report["import_s"] * 1000,
            invoke_ms=report["invoke_s"] * 1000,
            startup_ms=(report["started_wall"] - spawned) * 1000,
            outcome=report["outcome"],
            loaded_at_import=report["loaded_at_import"],
            loaded_after_invoke=report["loaded_after_invoke"],
        )
        return sample, done.stderr

    def measure(
        self,
        functions: list[Any],
        deployment: layer.Deployment,
        reps: int,
        *,
        before_each: Callable[[Any], None] | None = None,
        importtime: bool = False,
        say: Callable[[str], None] = print,
    ) -> tuple[Result, dict[str, Result]]:
        """``reps`` cold starts of each function, round robin (so a busy moment hits all of them alike)."""
        baseline = Result("(empty handler)")
        results = {f.logical_id: Result(f.logical_id) for f in functions}
        for rep in range(reps):
            baseline.samples.append(self.run(None, deployment)[0])
            for function in functions:
                if before_each:
                    before_each(function)
                results[function.logical_id].samples.append(self.run(function, deployment)[0])
            say(f"  cold starts: round {rep + 1}/{reps} done")
        if importtime:
            for function in functions:
                if before_each:
                    before_each(function)
                _, stderr = self.run(function, deployment, importtime=True)
                by_phase = packages(stderr)
                results[function.logical_id].packages_import = by_phase.get("import", {})
                results[function.logical_id].packages_invoke = by_phase.get("invoke", {})
        return baseline, results

    def measure_modes(
        self,
        functions: list[Any],
        deployments: dict[str, layer.Deployment],
        reps: int,
        *,
        before_each: Callable[[Any], None] | None = None,
        say: Callable[[str], None] = print,
    ) -> dict[str, tuple[Result, dict[str, Result]]]:
        """Like :meth:`measure`, for several deployments at once, interleaved (each round runs every
        function of every deployment), so that the machine's load changes hit them alike."""
        found = {
            mode: (Result("(empty handler)"), {f.logical_id: Result(f.logical_id) for f in functions})
            for mode in deployments
        }
        for rep in range(reps):
            for mode, deployment in deployments.items():
                baseline, results = found[mode]
                baseline.samples.append(self.run(None, deployment)[0])
                for function in functions:
                    if before_each:
                        before_each(function)
                    results[function.logical_id].samples.append(self.run(function, deployment)[0])
            say(f"  cold starts: round {rep + 1}/{reps} done")
        return found


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def packages(stderr: str) -> dict[str, dict[str, float]]:
    """``-X importtime`` output as milliseconds of each top-level package's own import time, per phase."""
    phase = "startup"
    found: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for line in stderr.splitlines():
        if line.startswith("BENCH-PHASE "):
            phase = line.split()[1]
            continue
        match = _IMPORT_LINE.match(line)
        if match:
            own_us, name = int(match.group(1)), match.group(4)
            found[phase][name.split(".")[0]] += own_us / 1000
    return {k: dict(v) for k, v in found.items()}


def _top(breakdown: dict[str, float], n: int = 4) -> str:
    ranked = sorted(breakdown.items(), key=lambda kv: -kv[1])[:n]
    return ", ".join(f"{name} {ms:.0f}" for name, ms in ranked)


def _modules(results: Iterable[Result], module: str) -> tuple[list[str], list[str]]:
    at_import, on_invoke = [], []
    for result in results:
        first = result.samples[0]
        if module in first.loaded_at_import:
            at_import.append(result.function)
        elif module in first.loaded_after_invoke:
            on_invoke.append(result.function)
    return at_import, on_invoke


def _who(names: list[str], everyone: list[str]) -> str:
    short = sorted(n.removesuffix("Function") for n in names)
    if not short:
        return "none"
    if len(short) == len(everyone):
        return f"all {len(everyone)}"
    if len(short) > len(everyone) // 2:
        others = sorted(n.removesuffix("Function") for n in everyone if n not in names)
        return f"{len(short)} (all but {', '.join(others)})"
    return ", ".join(short)


def section(
    baseline: Result, results: dict[str, Result], *, reps: int, mode: str, deployment: layer.Deployment
) -> Section:
    out = Section("coldstart", "Cold start of every function")
    out.paragraph(
        f"{reps} cold starts per function (round robin), each a fresh `python -I -S -B` that imports "
        f"`app` from a deployment-shaped copy (function code, layer with `{mode}` bytecode, runtime) and "
        "answers the first event of `events/<function>/`. Lambda environment: the trace header set, the "
        "database URL from SSM and the JWT keys from Secrets Manager through the local Parameters and Secrets "
        "extension (moto behind it), Postgres on a local socket. *total* = process "
        "spawn to answer; *import* = `import app`; *invoke* = the first call (settings, connections, lazy "
        "imports, the work). Baseline: an empty handler started the same way."
    )
    rows = [
        [
            baseline.function,
            len(baseline.samples),
            stats.ms(baseline.summary("total_ms").median),
            stats.ms(baseline.summary("total_ms").p95),
            stats.ms(baseline.summary("import_ms").median),
            stats.ms(baseline.summary("invoke_ms").median),
            "1.0x",
            "",
            "",
        ]
    ]
    for name in sorted(results, key=lambda k: -results[k].summary("total_ms").median):
        result = results[name]
        total = result.summary("total_ms")
        rows.append(
            [
                name.removesuffix("Function"),
                total.n,
                stats.ms(total.median),
                stats.ms(total.p95),
                stats.ms(result.summary("import_ms").median),
                stats.ms(result.summary("invoke_ms").median),
                stats.ratio(total.median, baseline.summary("total_ms").median),
                result.outcome,
                _top(result.packages_import, 3),
            ]
        )
    header = [
        "function",
        "n",
        "total ms",
        "p95 ms",
        "import ms",
        "invoke ms",
        "x baseline",
        "answer",
        "import: top packages (ms, own time)",
    ]
    out.table(stats.markdown_table(header, rows, "lrrrrrrll"))
    medians = [r.summary("total_ms").median for r in results.values()]
    imports = [r.summary("import_ms").median for r in results.values()]
    out.paragraph(
        f"Across the {len(results)} functions: median total {stats.ms(median(medians))} ms "
        f"(range {stats.ms(min(medians))}-{stats.ms(max(medians))}), median import {stats.ms(median(imports))} ms; "
        f"empty handler {stats.ms(baseline.summary('total_ms').median)} ms."
    )
    lines = []
    everyone = list(results)
    for module in ("google.genai", "PIL.Image", "boto3", "aws_xray_sdk.core", "argon2", "jwt"):
        at_import, on_invoke = _modules(results.values(), module)
        lines.append([f"`{module}`", _who(at_import, everyone), _who(on_invoke, everyone)])
    out.paragraph("Which functions load the heavy packages, at import or only when the first event needs them:")
    out.table(stats.markdown_table(["module", "loaded at import", "loaded by the first event only"], lines, "lll"))
    totals: dict[str, list[float]] = defaultdict(list)
    for result in results.values():
        for package, value in result.packages_import.items():
            totals[package].append(value)
    if totals:
        ranked = sorted(totals.items(), key=lambda kv: -median(kv[1] + [0.0] * (len(results) - len(kv[1]))))[:12]
        out.paragraph(
            "Where import time goes (`-X importtime`, own time of each top-level package, one run per function):"
        )
        out.table(
            stats.markdown_table(
                ["package", "functions importing it", "median ms", "max ms"],
                [[name, len(values), f"{median(values):.0f}", f"{max(values):.0f}"] for name, values in ranked],
            )
        )
    out.paragraph(f"Deployment copy: {stats.size(layer.size_bytes(deployment.layer))} of layer sources and bytecode.")
    return out


def pyc_section(modes: dict[str, tuple[Result, dict[str, Result]]], reps: int) -> Section:
    out = Section("pyc", "Bytecode in the zip: timestamp vs hash-based .pyc")
    out.paragraph(
        "The same cold starts with the layer and function code prepared three ways, all with every mtime at "
        "1980-01-01 as in a SAM zip, imported read-only (`-B`): *stale* = timestamp pycs compiled at build "
        "time (their recorded source mtimes no longer match, so every module is compiled at every cold "
        "start: what ships today); *checked-hash* and *unchecked-hash* = `python -m compileall "
        f"--invalidation-mode ...` (PEP 552). {reps} runs each; total / import median ms."
    )
    names = list(next(iter(modes.values()))[1])
    header = ["function", *(f"{mode} total" for mode in modes), *(f"{mode} import" for mode in modes), "saved"]
    rows = []
    for name in ["(empty handler)", *names]:
        row: list[object] = [name.removesuffix("Function")]
        totals, imports = [], []
        for baseline, results in modes.values():
            result = baseline if name == "(empty handler)" else results[name]
            totals.append(result.summary("total_ms").median)
            imports.append(result.summary("import_ms").median)
        row += [stats.ms(t) for t in totals] + [stats.ms(i) for i in imports]
        first, last = totals[0], totals[-1]
        row.append(f"{first - last:.0f} ms ({(first - last) / first:.0%})" if first else "")
        rows.append(row)
    out.table(stats.markdown_table(header, rows))
    out.paragraph(
        "The build step: `python3.13 tools/pyc.py .aws-sam/build/CommonLayer/python .aws-sam/build/*Function` "
        "between `sam build` and `sam deploy` (see the script's docstring)."
    )
    return out


def compare_section(ref: str, modes: dict[str, tuple[Result, dict[str, Result]]], reps: int) -> Section:
    out = Section("coldstart-compare", f"Cold start: {ref} vs this tree")
    out.paragraph(
        f"The same cold starts (`unchecked-hash` bytecode) of the code at `{ref}` and of the working tree, "
        f"interleaved round by round, {reps} runs each; median ms."
    )
    (before_base, before), (after_base, after) = modes[ref], modes["this tree"]
    rows = []
    for name in ["(empty handler)", *before]:
        old = before_base if name == "(empty handler)" else before[name]
        new = after_base if name == "(empty handler)" else after[name]
        old_total, new_total = old.summary("total_ms").median, new.summary("total_ms").median
        rows.append(
            [
                name.removesuffix("Function"),
                stats.ms(old_total),
                stats.ms(new_total),
                stats.ms(old.summary("import_ms").median),
                stats.ms(new.summary("import_ms").median),
                stats.ms(old.summary("invoke_ms").median),
                stats.ms(new.summary("invoke_ms").median),
                f"{new_total - old_total:+.0f} ms",
            ]
        )
    header = [
        "function",
        f"{ref} total",
        "now total",
        f"{ref} import",
        "now import",
        f"{ref} invoke",
        "now invoke",
        "change",
    ]
    out.table(stats.markdown_table(header, rows))
    return out
