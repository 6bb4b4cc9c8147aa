"""Requests of different users at once, through the local stack, each answered as its own caller.

Powertools keeps the event being resolved on ``BaseRouter``, a class that every resolver in a process
shares. Lambda runs one request per environment, but the local stack runs functions side by side in one
process: before ``imagify.web.Resolver`` kept the event per thread, 3 in 200 answers went to another user.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.support.api import ApiClient

USERS = 8
ROUNDS = 12


def test_concurrent_callers_of_different_functions_each_get_their_own_answer(api: ApiClient):
    users = [api.register() for _ in range(USERS)]
    start = threading.Barrier(USERS)

    def journey(index: int) -> list[str]:
        user = users[index]
        wrong: list[str] = []
        start.wait()
        for round_ in range(ROUNDS):
            me = api.get("/me", token=user.access_token)
            if me.status != 200 or me.json()["id"] != user.id:
                wrong.append(f"GET /me of {index}: {me.status} {me.body[:80]!r}")
            ticket = api.post(
                "/uploads",
                {"purpose": "user_photo", "contentType": "image/png", "contentLength": 1000 + round_},
                token=user.access_token,
            )
            if ticket.status != 201 or f"uploads/{user.id}/" not in ticket.json()["uploadRef"]:
                wrong.append(f"POST /uploads of {index}: {ticket.status} {ticket.body[:120]!r}")
            sessions = api.get("/advisor/sessions", token=user.access_token)
            if sessions.status != 200:
                wrong.append(f"GET /advisor/sessions of {index}: {sessions.status}")
        return wrong

    with ThreadPoolExecutor(USERS) as pool:
        outcomes = [wrong for result in pool.map(journey, range(USERS)) for wrong in result]
    assert outcomes == []
