"""The local stack's own messages: short lines on stderr (stdout belongs to the functions and ``invoke``)."""

from __future__ import annotations

import sys
import threading

_lock = threading.Lock()


def say(message: str) -> None:
    with _lock:
        print(message, file=sys.stderr, flush=True)
