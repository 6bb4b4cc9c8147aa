"""``python -m devstack serve | invoke | event``: SAM's ``local start-api`` / ``local invoke`` /
``local generate-event``, without Docker."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from devstack import template as templates
from devstack.cfn import TemplateError
from devstack.output import say

DEFAULT_PORT = 3000


def _overrides(pairs: Sequence[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--parameter-overrides wants Name=Value, got {pair!r}")
        overrides[name] = value
    return overrides


def _load(args: argparse.Namespace) -> templates.Template:
    return templates.load(args.template, _overrides(args.parameter_overrides))


def _state_dir(args: argparse.Namespace, template: templates.Template) -> Path:
    from devstack.stack import default_state_dir

    return Path(args.state_dir) if args.state_dir else default_state_dir(template)


def _stop_on_signals() -> None:
    """SIGINT and SIGTERM end ``serve`` the same way; a second signal cannot interrupt the cleanup."""

    def stop(signum: int, frame: FrameType | None) -> NoReturn:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def serve(args: argparse.Namespace) -> int:
    from devstack.apigw import Gateway
    from devstack.database import reset_demo_user
    from devstack.server import ApiServer
    from devstack.stack import Stack

    _stop_on_signals()
    template = _load(args)
    port = args.port if args.port is not None else int(os.environ.get("PORT") or DEFAULT_PORT)
    stack = Stack(template, state_dir=_state_dir(args, template), database_url=os.environ.get("DATABASE_URL"))
    try:
        with stack:
            assert stack.database is not None
            gateway = Gateway(template, stack.runtime)
            user = reset_demo_user(stack.database.url, os.environ.get("ADMIN_EMAILS", ""))
            try:
                server = ApiServer(gateway, port)
            except OSError as error:
                say(f"error: cannot listen on 127.0.0.1:{port} ({error.strerror}); choose another with --port")
                return 1
            say(f"aws (moto): {stack.aws.endpoint}")
            say(f"demo user: {user.email} / {user.password} ({user.role}, {user.tokens} tokens)")
            say(f"api: {server.url} ({len(gateway.table.resources)} resources; Ctrl-C stops)")
            try:
                server.serve_forever()
            finally:
                server.server_close()
    except KeyboardInterrupt:
        pass
    say("stopped")
    return 0


def invoke(args: argparse.Namespace) -> int:
    from devstack.runtime import error_payload
    from devstack.stack import Stack

    # Like `sam local invoke`: the result alone on stdout, and whatever the function prints on stderr.
    sys.stdout.flush()
    result_fd = os.dup(1)
    os.dup2(2, 1)
    template = _load(args)
    function = template.function(args.function)
    event: Any = {}
    if args.event == "-":
        event = json.load(sys.stdin)
    elif args.event:
        event = json.loads(Path(args.event).read_text(encoding="utf-8"))
    status = 0
    with Stack(
        template,
        state_dir=_state_dir(args, template),
        database_url=os.environ.get("DATABASE_URL"),
        prefer=function.logical_id,
    ) as stack:
        context = stack.runtime.context(function.logical_id)
        try:
            result = stack.runtime.invoke(function.logical_id, event, context=context)
        except Exception as error:
            result, status = error_payload(error, context.aws_request_id), 1
        sys.stdout.flush()
    with os.fdopen(result_fd, "w") as out:
        out.write(json.dumps(result) + "\n")
    return status


def event(args: argparse.Namespace) -> int:
    from devstack.events import api_event

    headers = [tuple(part.strip() for part in h.split(":", 1)) for h in args.header]
    query = [tuple(q.split("=", 1)) if "=" in q else (q, "") for q in args.query]
    data: str | None = args.data
    body: str | bytes | None = data
    if data is not None and data.startswith("@"):
        body = Path(data[1:]).read_bytes()
    built = api_event(
        args.method,
        args.path,
        resource=args.resource,
        headers=headers,
        query=query,
        body=body,
        authorizer=json.loads(args.authorizer) if args.authorizer else None,
    )
    print(json.dumps(built, indent=2))
    return 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--template", "-t", default="template.yaml", help="the SAM template (template.yaml)")
    common.add_argument(
        "--parameter-overrides", nargs="*", default=[], metavar="NAME=VALUE", help="template parameters"
    )
    common.add_argument("--state-dir", help="where the embedded Postgres keeps its data (.devstack/)")

    root = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    run = commands.add_parser("serve", parents=[common], help="serve the template's API on 127.0.0.1")
    run.add_argument("--port", "-p", type=int, help=f"port (default: $PORT, else {DEFAULT_PORT}; 0 picks one)")
    run.set_defaults(func=serve)

    call = commands.add_parser("invoke", parents=[common], help="run one function once, print its result")
    call.add_argument("function", help="the function's logical id, e.g. HealthFunction")
    call.add_argument("--event", "-e", help="event JSON file ('-' reads stdin; default: {})")
    call.set_defaults(func=invoke)

    build = commands.add_parser("event", help="print an API Gateway REST proxy event")
    build.add_argument("method")
    build.add_argument("path", help="request path, e.g. /generations/42")
    build.add_argument("--resource", "-r", help="the template path it matches, e.g. /generations/{id}")
    build.add_argument("--header", "-H", action="append", default=[], metavar="'NAME: VALUE'")
    build.add_argument("--query", "-q", action="append", default=[], metavar="NAME=VALUE")
    build.add_argument("--data", "-d", help="body; @file sends a file's bytes (base64-encoded)")
    build.add_argument("--authorizer", help="authorizer context as JSON")
    build.set_defaults(func=event)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except TemplateError as error:
        say(f"error: {error}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
