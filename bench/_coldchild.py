"""One cold start, as the Lambda Python runtime does it, in a fresh interpreter started by bench.coldstart.

Run as ``python -I -S -B _coldchild.py <json>``: isolated from the virtualenv (no site-packages, no
PYTHON* variables, no bytecode written, as on Lambda's read-only filesystem). ``sys.path`` is then what
Lambda's is: the function's code, the layer, the runtime. The handler module is imported by name (as the
runtime's bootstrap does), then called once with the event. Times and the modules loaded are written as
JSON to the file named in the arguments (stdout carries the function's own logs).
"""

import json
import sys
import time

STARTED_WALL = time.time()
STARTED = time.perf_counter()

WATCH = (
    "google.genai",
    "PIL.Image",
    "boto3",
    "botocore",
    "aws_xray_sdk.core",
    "jwt",
    "argon2",
    "bcrypt",
    "cryptography",
    "psycopg",
    "pydantic",
    "httpx2",
    "requests",
)


class Context:
    """The attributes the Python runtime's context has (those Powertools reads)."""

    def __init__(self, name: str, memory: int, timeout_s: int) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.memory_limit_in_mb = memory
        self.aws_request_id = "00000000-0000-4000-8000-000000000000"
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "2025/01/01/[$LATEST]0"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> None:
    args = json.loads(sys.argv[1])
    sys.path[:0] = [args["task"], args["layer"], args["runtime"]]
    module_name, _, attribute = args["handler"].rpartition(".")
    import importlib

    imported = time.perf_counter()
    sys.stderr.write("BENCH-PHASE import\n")
    module = importlib.import_module(module_name)
    handler = getattr(module, attribute)
    after_import = time.perf_counter()
    loaded_at_import = [name for name in WATCH if name in sys.modules]
    with open(args["event"]) as file:
        event = json.load(file)
    context = Context(args["name"], args["memory"], args["timeout"])
    sys.stderr.write("BENCH-PHASE invoke\n")
    invoked = time.perf_counter()
    try:
        result = handler(event, context)
        outcome = str(result.get("statusCode", "ok")) if isinstance(result, dict) else "ok"
    except Exception as error:
        outcome = type(error).__name__
    answered = time.perf_counter()
    answered_wall = time.time()
    sys.stderr.write("BENCH-PHASE done\n")
    report = {
        "started_wall": STARTED_WALL,
        "answered_wall": answered_wall,
        "before_import_s": imported - STARTED,
        "import_s": after_import - imported,
        "invoke_s": answered - invoked,
        "outcome": outcome,
        "loaded_at_import": loaded_at_import,
        "loaded_after_invoke": [name for name in WATCH if name in sys.modules],
        "modules": len(sys.modules),
    }
    with open(args["out"], "w") as file:
        json.dump(report, file)


main()
