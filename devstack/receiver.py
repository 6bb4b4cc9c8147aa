"""``python -m devstack.receiver --secret whsec_...``: a webhook receiver on this machine, for trying webhooks
with the local stack. Every delivery is verified with the ``standardwebhooks`` package (the specification's own
library), printed, and answered 204; one that does not verify is answered 401, as a real receiver should.
``--fail N`` answers the first N deliveries 500, to watch the retries in the delivery log."""

from __future__ import annotations

import argparse
import contextlib
import json
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.receiver", description=__doc__)
    parser.add_argument("--secret", required=True, help="the endpoint's secret (whsec_...), as registered")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--fail", type=int, default=0, help="answer the first N deliveries 500")
    args = parser.parse_args()
    verifier, failures = Webhook(args.secret), [args.fail]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                event: Any = verifier.verify(body, dict(self.headers))
            except WebhookVerificationError as refused:
                print(f"refused ({refused}): {self.headers.get('webhook-id')}", flush=True)
                self._answer(401)
                return
            failing = failures[0] > 0
            failures[0] -= failing
            print(f"{'500 for' if failing else 'got'} {self.headers['webhook-id']}: {json.dumps(event)}", flush=True)
            self._answer(500 if failing else 204)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    print(f"listening on http://127.0.0.1:{args.port}/ (Ctrl-C stops)", flush=True)
    with HTTPServer(("127.0.0.1", args.port), Handler) as server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
