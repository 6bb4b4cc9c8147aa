"""The local Parameters and Secrets extension (devstack/extension.py) as a server: one serves every function of the
local stack, where AWS gives each execution environment its own."""

from __future__ import annotations

import socket
from contextlib import ExitStack

from devstack.extension import Extension


def test_a_burst_of_environments_connecting_at_once_all_get_through_before_one_is_accepted():
    served = Extension(lambda service: None, token="token")
    try:
        # Given the extension's accept loop stopped (its listening socket still open), as when a busy machine
        # leaves it behind a burst of restored environments
        served._server.shutdown()

        # When 64 clients connect at once, each waiting half a second at most
        with ExitStack() as stack:
            for _ in range(64):
                client = stack.enter_context(socket.socket())
                client.settimeout(0.5)

                # Then every handshake completes (the kernel queues them until they are accepted): with
                # socketserver's backlog of 5 the seventh was dropped, and its client waited a second to retry
                client.connect(("127.0.0.1", served.port))
    finally:
        served.stop()
