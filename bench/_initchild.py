"""One execution environment of a built function, in a fresh python3.13 started by bench.init.

Run as ``python3.13 -I -S -B _initchild.py <json>``. Either the bare import of the libraries a function cannot
avoid (``bare``: module names), or the function's init (``import app``), then, when the init is SnapStart's,
the runtime's hooks as Lambda runs them (before the snapshot, then after a restore), then its first request and
``warm`` more. Times and the heavy modules loaded are written as JSON to the file named in the arguments.
"""

import importlib
import json
import os
import sys
import time
import types
from collections.abc import Callable

HEAVY = ("boto3", "botocore.session", "botocore.client", "aws_xray_sdk", "google.genai", "PIL")


class Context:
    def __init__(self, name: str, memory: int) -> None:
        self.function_name = name
        self.function_version = "1"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}:live"
        self.memory_limit_in_mb = memory
        self.aws_request_id = "00000000-0000-4000-8000-000000000000"
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "2026/12/04/[1]0"
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


def _timed(work):
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def _answer(handler, event, context):
    """The handler's answer, or the name of what it raised (an authorizer refuses by raising)."""
    try:
        return handler(event, context)
    except Exception as error:
        return type(error).__name__


def main() -> None:
    args = json.loads(sys.argv[1])
    sys.path[:0] = [args["task"], args["layer"]]
    report: dict[str, object] = {}
    if args.get("bare"):
        _, report["init_s"] = _timed(lambda: [importlib.import_module(name) for name in args["bare"]])
    else:
        hooks: dict[str, list[Callable[[], object]]] = {"before": [], "after": []}
        if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":  # the runtime's module, stood in for
            runtime = types.ModuleType("snapshot_restore_py")
            runtime.register_before_snapshot = lambda f, *a, **k: hooks["before"].append(f)  # type: ignore[attr-defined]
            runtime.register_after_restore = lambda f, *a, **k: hooks["after"].append(f)  # type: ignore[attr-defined]
            sys.modules["snapshot_restore_py"] = runtime
        module_name, _, attribute = args["handler"].rpartition(".")
        module, report["init_s"] = _timed(lambda: importlib.import_module(module_name))
        report["loaded_at_init"] = [name for name in HEAVY if name in sys.modules]
        # Lambda runs the before-snapshot hooks in the reverse order of registration, the after-restore ones in order.
        _, report["prime_s"] = _timed(lambda: [hook() for hook in reversed(hooks["before"])])
        _, report["restore_s"] = _timed(lambda: [hook() for hook in hooks["after"]])
        handler = getattr(module, attribute)
        with open(args["event"]) as file:
            event = json.load(file)
        context = Context(args["name"], args["memory"])
        outcomes, times = [], []
        before_first = set(sys.modules)
        for _ in range(1 + args["warm"]):
            result, took = _timed(lambda: _answer(handler, json.loads(json.dumps(event)), context))
            outcomes.append(str(result.get("statusCode", "ok")) if isinstance(result, dict) else str(result))
            times.append(took)
        report["loaded_by_first"] = sorted({m.split(".")[0] for m in set(sys.modules) - before_first})
        report.update(first_s=times[0], warm_s=sorted(times[1:])[len(times[1:]) // 2], outcomes=outcomes)
    with open(args["out"], "w") as file:
        json.dump(report, file)


main()
