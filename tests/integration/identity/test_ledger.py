"""The token ledger: concurrent changes keep the balance equal to its history; admin grants and adjustments."""

from __future__ import annotations

import base64
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import Any
from uuid import UUID, uuid4

import pytest

from imagify import db
from imagify.billing import ledger
from imagify.errors import Conflict, InsufficientTokens
from tests.support.api import ApiClient
from tests.support.identity import Account, MakeUser
from tests.support.sql import Sql, scalar

Operation = Callable[[db.Connection], Any]


@dataclass(frozen=True)
class Outcome:
    name: str
    result: Any = None
    error: BaseException | None = None


def run_at_once(operations: list[tuple[str, Operation]]) -> list[Outcome]:
    """Each operation in its own thread, connection and transaction, all released together."""
    start = threading.Barrier(len(operations))

    def run(name: str, operation: Operation) -> Outcome:
        conn = db.connect()
        try:
            start.wait(timeout=30)
            with conn.transaction():
                return Outcome(name, result=operation(conn))
        except Exception as error:
            return Outcome(name, error=error)
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=len(operations)) as pool:
        return list(pool.map(lambda item: run(*item), operations))


def _generation(sql: Sql, user_id: UUID) -> UUID:
    row = sql.execute(
        "INSERT INTO generations (user_id, mode, prompt) VALUES (%s, 'from_prompt', 'a red coat') RETURNING id",
        (user_id,),
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def _ledger(sql: Sql, user_id: UUID) -> list[dict[str, Any]]:
    return sql.execute(
        "SELECT delta, balance_after, kind::text AS kind, generation_id, actor_id, note FROM token_transactions "
        "WHERE user_id = %s",
        (user_id,),
    ).fetchall()


def _tokens(sql: Sql, user_id: UUID) -> int:
    return int(scalar(sql, "SELECT tokens FROM users WHERE id = %s", (user_id,)))


def serial_history(rows: list[dict[str, Any]]) -> list[int] | None:
    """The balances of one serial order of the ledger rows (each starting where the previous ended, from
    zero), or None when no such order exists. It is an Eulerian trail over balance -> balance edges."""
    edges: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        edges[row["balance_after"] - row["delta"]].append(row["balance_after"])
    stack, trail = [0], []
    while stack:
        if edges[stack[-1]]:
            stack.append(edges[stack[-1]].pop())
        else:
            trail.append(stack.pop())
    trail.reverse()
    used = Counter(pairwise(trail))
    wanted = Counter((row["balance_after"] - row["delta"], row["balance_after"]) for row in rows)
    return trail if used == wanted else None


def test_serial_history_finds_an_order_only_when_there_is_one():
    rows = [{"delta": 50, "balance_after": 50}, {"delta": -5, "balance_after": 45}, {"delta": 10, "balance_after": 55}]
    assert serial_history(rows) in ([0, 50, 45, 55], [0, 50, 60, 55])
    assert serial_history([*rows, {"delta": -5, "balance_after": 45}]) is None  # two charges from 50: no order


def test_fifty_concurrent_charges_and_adjustments_keep_the_balance_equal_to_the_ledger(
    make_user: MakeUser, admin: Account, sql: Sql
):
    # Given a user with 50 tokens and 25 generations of theirs to pay for
    bob = make_user("bob@example.com", tokens=50)
    generations = [_generation(sql, bob.id) for _ in range(25)]

    # When 25 charges of 5, 10 admin debits of 20 and 15 admin credits of 10 all run at once
    # (325 tokens asked for, at most 200 there: some must be refused)
    operations: list[tuple[str, Operation]] = [
        ("charge", partial(ledger.charge_generation, user_id=bob.id, generation_id=g, cost=5)) for g in generations
    ]
    for _ in range(10):
        operations.append(("debit", lambda c: ledger.adjust(c, bob.id, -20, admin_id=admin.id, note="debit")))
    for _ in range(15):
        operations.append(("credit", lambda c: ledger.adjust(c, bob.id, 10, admin_id=admin.id, note="credit")))
    outcomes = run_at_once(operations)

    # Then every refusal was a refusal for lack of tokens, and there was at least one
    refusals = [o for o in outcomes if o.error is not None]
    assert all(isinstance(o.error, InsufficientTokens | Conflict) for o in refusals), [o.error for o in refusals]
    assert refusals
    assert all(o.name != "credit" for o in refusals)
    assert all(isinstance(o.error, InsufficientTokens) for o in refusals if o.name == "charge")
    assert all(isinstance(o.error, Conflict) for o in refusals if o.name == "debit")
    # And the balance is the sum of the ledger, never below zero at any point of it
    rows = _ledger(sql, bob.id)
    balance = _tokens(sql, bob.id)
    assert balance == sum(row["delta"] for row in rows)
    assert balance >= 0
    assert all(row["balance_after"] >= 0 for row in rows)
    assert len(rows) == 1 + sum(1 for o in outcomes if o.error is None)
    # And the rows form one serial history, ending at the balance
    history = serial_history(rows)
    assert history is not None, sorted((r["balance_after"] - r["delta"], r["balance_after"]) for r in rows)
    assert history[-1] == balance
    assert min(history) >= 0
    # And what each operation was told matches the ledger
    assert sorted(o.result.balance_after for o in outcomes if o.error is None) == sorted(
        row["balance_after"] for row in rows if row["kind"] != "signup"
    )
    charged = {row["generation_id"] for row in rows if row["kind"] == "generation_charge"}
    succeeded = {g for g, o in zip(generations, outcomes[:25], strict=True) if o.error is None}
    assert charged == succeeded


def test_a_repeated_refund_refunds_once(make_user: MakeUser, sql: Sql):
    bob = make_user("bob@example.com", tokens=50)
    generation = _generation(sql, bob.id)
    with db.transaction() as conn:
        ledger.charge_generation(conn, bob.id, generation, 7)
    assert _tokens(sql, bob.id) == 43

    with db.transaction() as conn:
        first = ledger.refund_generation(conn, generation, "the model failed")
    with db.transaction() as conn:
        second = ledger.refund_generation(conn, generation, "the model failed")

    assert first is not None
    assert first.delta == 7
    assert second is None
    assert _tokens(sql, bob.id) == 50
    assert [r["kind"] for r in _ledger(sql, bob.id)].count("generation_refund") == 1


def test_concurrent_refunds_of_one_generation_refund_once(make_user: MakeUser, sql: Sql):
    bob = make_user("bob@example.com", tokens=50)
    generation = _generation(sql, bob.id)
    with db.transaction() as conn:
        ledger.charge_generation(conn, bob.id, generation, 7)

    outcomes = run_at_once([("refund", lambda c: ledger.refund_generation(c, generation, "failed"))] * 8)

    assert [o.error for o in outcomes] == [None] * 8
    assert sum(1 for o in outcomes if o.result is not None) == 1
    assert _tokens(sql, bob.id) == 50
    assert [r["kind"] for r in _ledger(sql, bob.id)].count("generation_refund") == 1


def test_a_generation_never_charged_is_not_refunded(make_user: MakeUser, sql: Sql):
    bob = make_user("bob@example.com", tokens=50)
    generation = _generation(sql, bob.id)

    with db.transaction() as conn:
        assert ledger.refund_generation(conn, generation, "failed") is None
    assert _tokens(sql, bob.id) == 50


# -- over HTTP -----------------------------------------------------------------------------------------


def test_making_a_user_admin_raises_their_tokens_to_1000_with_a_role_grant(
    api: ApiClient, admin: Account, make_user: MakeUser, sql: Sql
):
    bob = make_user("bob@example.com", tokens=50)

    reply = api.patch(f"/admin/users/{bob.id}", body={"role": "admin"}, token=admin.access_token)

    assert reply.status == 200, reply.body
    assert (reply.json()["id"], reply.json()["role"], reply.json()["tokens"]) == (str(bob.id), "admin", 1000)
    grant = [row for row in _ledger(sql, bob.id) if row["kind"] == "role_grant"]
    assert grant == [
        {
            "delta": 950,
            "balance_after": 1000,
            "kind": "role_grant",
            "generation_id": None,
            "actor_id": admin.id,
            "note": "made admin",
        }
    ]
    assert _tokens(sql, bob.id) == sum(row["delta"] for row in _ledger(sql, bob.id))
    # And bob's own token now carries the admin role
    assert api.get("/admin/stats", token=bob.access_token).status == 200


def test_a_user_with_more_than_1000_tokens_made_admin_keeps_them_without_a_grant(
    api: ApiClient, admin: Account, make_user: MakeUser, sql: Sql
):
    bob = make_user("bob@example.com", tokens=1500)

    reply = api.patch(f"/admin/users/{bob.id}", body={"role": "admin"}, token=admin.access_token)

    assert reply.status == 200, reply.body
    assert reply.json()["tokens"] == 1500
    assert [row["kind"] for row in _ledger(sql, bob.id)] == ["signup"]


def test_an_admin_adjustment_adds_tokens_with_a_ledger_row(
    api: ApiClient, admin: Account, make_user: MakeUser, sql: Sql
):
    bob = make_user("bob@example.com", tokens=50)

    reply = api.post(
        f"/admin/users/{bob.id}/tokens", body={"delta": 25, "note": " goodwill "}, token=admin.access_token
    )

    assert reply.status == 200, reply.body
    assert reply.json()["tokens"] == 75
    [row] = [row for row in _ledger(sql, bob.id) if row["kind"] == "admin_adjustment"]
    assert (row["delta"], row["balance_after"], row["actor_id"], row["note"]) == (25, 75, admin.id, "goodwill")


def test_an_admin_adjustment_below_zero_is_409_and_changes_nothing(
    api: ApiClient, admin: Account, make_user: MakeUser, sql: Sql
):
    bob = make_user("bob@example.com", tokens=50)
    before = _ledger(sql, bob.id)

    reply = api.post(f"/admin/users/{bob.id}/tokens", body={"delta": -51, "note": "too much"}, token=admin.access_token)

    assert reply.status == 409, reply.body
    assert reply.error_code == "conflict"
    assert _tokens(sql, bob.id) == 50
    assert _ledger(sql, bob.id) == before


def test_an_adjustment_for_an_unknown_user_is_404(api: ApiClient, admin: Account):
    reply = api.post(f"/admin/users/{uuid4()}/tokens", body={"delta": 5, "note": "x"}, token=admin.access_token)

    assert reply.status == 404
    assert reply.error_code == "not_found"


def test_token_transactions_page_newest_first_with_a_cursor(
    api: ApiClient, admin: Account, make_user: MakeUser, sql: Sql
):
    # Given bob's opening balance and four later changes, each in its own transaction
    bob = make_user("bob@example.com", tokens=50)
    for delta in (10, -5, 20, -15):
        with db.transaction() as conn:
            ledger.adjust(conn, bob.id, delta, admin_id=admin.id, note=f"change {delta}")

    # When he reads his history two at a time
    pages, cursor = [], None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        reply = api.get("/me/token-transactions", token=bob.access_token, query=query)
        assert reply.status == 200, reply.body
        pages.append(reply.json()["items"])
        cursor = reply.json()["nextCursor"]
        if cursor is None:
            break

    # Then he gets pages of 2, 2 and 1, newest first, everything once, nothing of anyone else
    assert [len(page) for page in pages] == [2, 2, 1]
    items = [item for page in pages for item in page]
    assert [item["delta"] for item in items] == [-15, 20, -5, 10, 50]
    assert [item["balanceAfter"] for item in items] == [60, 75, 55, 60, 50]
    assert [item["kind"] for item in items] == ["admin_adjustment"] * 4 + ["signup"]
    assert [item["createdAt"] for item in items] == sorted((item["createdAt"] for item in items), reverse=True)
    assert set(items[0]) == {"id", "delta", "balanceAfter", "kind", "generationId", "note", "createdAt"}
    assert len({item["id"] for item in items}) == 5


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "%%%",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b'["2025-01-01T00:00:00", "not-a-uuid"]').decode(),
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        "x" * 600,
    ],
)
def test_a_garbage_cursor_is_422(api: ApiClient, alice: Account, cursor: str):
    reply = api.get("/me/token-transactions", token=alice.access_token, query={"cursor": cursor})

    assert reply.status == 422, reply.body
    assert reply.error_code == "validation_error"


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
def test_a_limit_outside_1_to_100_is_422(api: ApiClient, alice: Account, limit: str):
    reply = api.get("/me/token-transactions", token=alice.access_token, query={"limit": limit})

    assert reply.status == 422


def test_a_balance_changed_outside_the_ledger_is_recorded_as_a_direct_change(make_user: MakeUser, sql: Sql):
    # Given a user with 50 tokens, all in the ledger
    user = make_user("direct@example.com")
    # When another writer (the frontend) changes the balance without a ledger row, twice in one transaction
    with sql.transaction():
        sql.execute("UPDATE users SET tokens = tokens - 1 WHERE id = %s", (user.id,))
        sql.execute("UPDATE users SET tokens = tokens - 2 WHERE id = %s", (user.id,))
    # Then the ledger sums to the balance again, with one row saying what happened
    assert _tokens(sql, user.id) == 47
    assert scalar(sql, "SELECT sum(delta) FROM token_transactions WHERE user_id = %s", (user.id,)) == 47
    direct = [row for row in _ledger(sql, user.id) if row["kind"] == "direct_change"]
    assert [(row["delta"], row["balance_after"]) for row in direct] == [(-3, 47)]


def test_the_ledgers_own_changes_are_not_recorded_twice(make_user: MakeUser, sql: Sql):
    user = make_user("own@example.com")
    with db.transaction() as conn:
        ledger.charge_generation(conn, user.id, _generation(sql, user.id), 5)
    with db.transaction() as conn:
        ledger.adjust(conn, user.id, 7, admin_id=user.id, note="goodwill")
    kinds = [row["kind"] for row in _ledger(sql, user.id)]
    assert sorted(kinds) == ["admin_adjustment", "generation_charge", "signup"]
    assert scalar(sql, "SELECT sum(delta) FROM token_transactions WHERE user_id = %s", (user.id,)) == 52


def test_grants_past_the_balance_ceiling_are_409_never_an_overflow(
    api: ApiClient, admin: Account, make_user: MakeUser, sql: Sql
):
    # Given a balance just under the ceiling, and one the frontend pushed to the column's integer limit
    near = make_user("near@example.com", tokens=ledger.MAX_BALANCE - 10)
    full = make_user("full@example.com")
    sql.execute("UPDATE users SET tokens = 2147483647 WHERE id = %s", (full.id,))

    def grant(account: Account, delta: int) -> Any:
        return api.post(
            f"/admin/users/{account.id}/tokens", body={"delta": delta, "note": "more"}, token=admin.access_token
        )

    # Then a grant that fits is taken, one past the ceiling is a 409 that changes nothing, on either
    assert grant(near, 10).status == 200
    for account in (near, full):
        before = _tokens(sql, account.id)
        reply = grant(account, 1_000_000)
        assert (reply.status, reply.error_code) == (409, "conflict"), reply.body
        assert _tokens(sql, account.id) == before
    # And taking tokens from the over-full balance still works
    assert grant(full, -1_000_000).status == 200
