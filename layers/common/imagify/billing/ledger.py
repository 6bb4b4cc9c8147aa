"""The one module that changes ``users.tokens``.

Every change is one conditional ``UPDATE`` (the row lock it takes orders concurrent changes for a user)
and one ledger row in the same transaction, so ``users.tokens`` always equals the sum of the user's
ledger and never goes below zero. Callers pass the connection of the transaction they are in: a charge
commits or rolls back together with the generation it pays for.

A generation is charged at most once and refunded at most once, whatever retries happen: a unique index on
``(generation_id, kind)`` refuses a second charge (the caller charges in the transaction that creates the
generation, so it never tries), and ``refund_generation`` checks for an earlier refund under the user's row
lock, so a repeated refund is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from imagify.db import Connection
from imagify.errors import Conflict, InsufficientTokens, NotFound

# "direct_change" is never written here: migrations/0010's trigger records changes made outside this module.
Kind = Literal["signup", "generation_charge", "generation_refund", "admin_adjustment", "role_grant", "advisor_charge"]


# The most tokens a balance may hold: far above any real use, far below users.tokens' integer limit
# (2^31 - 1), so no sum of grants can overflow the column.
MAX_BALANCE = 1_000_000_000


@dataclass(frozen=True)
class Change:
    delta: int
    balance_after: int
    recorded: bool = True


_APPLY = """
WITH changed AS (
    UPDATE users SET tokens = tokens + %(delta)s
    WHERE id = %(user_id)s AND tokens::bigint + %(delta)s >= 0
      AND (%(delta)s <= 0 OR tokens::bigint + %(delta)s <= %(max_balance)s)
    RETURNING id, tokens
)
INSERT INTO token_transactions (user_id, delta, balance_after, kind, generation_id, actor_id, note)
SELECT id, %(delta)s, tokens, %(kind)s, %(generation_id)s, %(actor_id)s, %(note)s FROM changed
RETURNING balance_after
"""


def _change(
    conn: Connection,
    user_id: UUID,
    delta: int,
    kind: Kind,
    *,
    generation_id: UUID | None = None,
    actor_id: UUID | None = None,
    note: str | None = None,
) -> Change:
    row = conn.execute(
        _APPLY,
        {
            "user_id": user_id,
            "delta": delta,
            "kind": kind,
            "generation_id": generation_id,
            "actor_id": actor_id,
            "note": note,
            "max_balance": MAX_BALANCE,
        },
    ).fetchone()
    if row is not None:
        return Change(delta=delta, balance_after=row["balance_after"])
    balance = conn.execute("SELECT tokens FROM users WHERE id = %s", (user_id,)).fetchone()
    if balance is None:
        raise NotFound("user not found")
    if delta > 0:
        raise Conflict(f"a balance may hold at most {MAX_BALANCE:,} tokens; it is {balance['tokens']:,}")
    afford(-delta, balance["tokens"])
    raise AssertionError("unreachable: the change failed only for want of tokens")


def afford(required: int, balance: int, what: str = "this needs") -> None:
    """Refuse (402, naming both numbers) what costs ``required`` tokens when the balance is less."""
    if balance < required:
        raise InsufficientTokens(
            f"{what} {required} tokens and the balance is {balance}",
            details=[{"required": required, "balance": balance}],
        )


def _already_recorded(conn: Connection, generation_id: UUID, kind: Kind) -> bool:
    row = conn.execute(
        "SELECT 1 AS one FROM token_transactions WHERE generation_id = %s AND kind = %s",
        (generation_id, kind),
    ).fetchone()
    return row is not None


def charge_generation(conn: Connection, user_id: UUID, generation_id: UUID, cost: int) -> Change:
    """Take ``cost`` tokens for a generation; ``InsufficientTokens`` when the balance is short."""
    if cost == 0:
        return Change(delta=0, balance_after=balance(conn, user_id), recorded=False)
    return _change(conn, user_id, -cost, "generation_charge", generation_id=generation_id)


def refund_generation(conn: Connection, generation_id: UUID, note: str) -> Change | None:
    """Give back what a generation was charged, once. ``None`` when there is nothing (more) to refund."""
    charge = conn.execute(
        "SELECT user_id, delta FROM token_transactions WHERE generation_id = %s AND kind = 'generation_charge'",
        (generation_id,),
    ).fetchone()
    if charge is None:
        return None
    # Lock the user's row first, so two concurrent refunds queue here and the second sees the first's row.
    conn.execute("SELECT 1 FROM users WHERE id = %s FOR UPDATE", (charge["user_id"],))
    if _already_recorded(conn, generation_id, "generation_refund"):
        return None
    return _change(
        conn, charge["user_id"], -charge["delta"], "generation_refund", generation_id=generation_id, note=note
    )


def charge_advice(conn: Connection, user_id: UUID, cost: int) -> Change | None:
    if cost == 0:
        return None
    return _change(conn, user_id, -cost, "advisor_charge")


def adjust(conn: Connection, user_id: UUID, delta: int, *, admin_id: UUID, note: str) -> Change:
    """An admin's correction, up or down; refused when it would take the balance below zero."""
    try:
        return _change(conn, user_id, delta, "admin_adjustment", actor_id=admin_id, note=note)
    except InsufficientTokens as error:
        raise Conflict(f"the balance cannot go below zero: {error.message}") from error


def raise_to_at_least(
    conn: Connection, user_id: UUID, floor: int, *, admin_id: UUID | None, note: str
) -> Change | None:
    """Top a balance up to ``floor`` (a user made admin gets at least the admin allowance)."""
    balance = conn.execute("SELECT tokens FROM users WHERE id = %s FOR UPDATE", (user_id,)).fetchone()
    if balance is None:
        raise NotFound("user not found")
    if balance["tokens"] >= floor:
        return None
    return _change(conn, user_id, floor - balance["tokens"], "role_grant", actor_id=admin_id, note=note)


def balance(conn: Connection, user_id: UUID) -> int:
    """The user's balance now."""
    row = conn.execute("SELECT tokens FROM users WHERE id = %s", (user_id,)).fetchone()
    if row is None:
        raise NotFound("user not found")
    return int(row["tokens"])
