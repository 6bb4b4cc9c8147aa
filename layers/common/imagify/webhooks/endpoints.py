"""A user's webhook endpoints and signing secrets.

An endpoint is a URL, the events it takes and a secret that signs what it is sent. Its URL is checked when
it is registered or changed (https, a host that resolves to public addresses only) and again at every delivery
(``imagify.webhooks.transport``). A secret is shown once, when made; rotating it makes a new one and keeps the
old one signing too (a second signature) for ``webhook_rotation_overlap_s``, so receivers can switch without a
gap. The account's own secret (``default``) signs deliveries to the one-off URL a generation request names.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import sql

from imagify import db, pagination
from imagify.errors import Conflict, InvalidInput, NotFound
from imagify.settings import webhook_settings
from imagify.webhooks import signing, transport

COLUMNS = (
    "id",
    "url",
    "events",
    "description",
    "enabled",
    "disabled_reason",
    "failing_since",
    "created_at",
    "updated_at",
)
_COLUMNS = db.columns(COLUMNS)
NOT_FOUND = "webhook endpoint not found"


def channel(webhook_id: str) -> UUID | None:
    """An endpoint's id, or ``None`` for ``default`` (the account's one-off URLs), from a path's
    ``CHANNEL_PATTERN``."""
    return None if webhook_id == "default" else UUID(webhook_id)


def checked_url(url: str, field: str) -> str:
    """``url`` if webhooks may be sent to it now, else ``InvalidInput`` naming ``field`` and why."""
    try:
        transport.addresses(url, allow_loopback_http=webhook_settings().webhook_allow_loopback_http)
    except transport.RefusedUrl as refused:
        raise InvalidInput(
            f"this URL cannot receive webhooks: {refused}",
            details=[{"loc": ["body", field], "msg": str(refused), "type": "url_refused"}],
        ) from refused
    return url


@db.retry_conflicts
def create(user_id: UUID, url: str, events: list[str], description: str | None) -> dict[str, Any]:
    """A new endpoint, with its secret (shown only now); a user has at most ``webhook_max_endpoints``."""
    checked_url(url, "url")
    most = webhook_settings().webhook_max_endpoints
    secret = signing.new_secret()
    with db.transaction() as conn:
        # One registration of a user's at a time, so two at once cannot both take the last place.
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('webhook endpoints ' || %s::text, 0))", (user_id,))
        count = conn.execute("SELECT count(*) AS n FROM webhook_endpoints WHERE user_id = %s", (user_id,)).fetchone()
        if count is not None and count["n"] >= most:
            raise Conflict(f"an account has at most {most} webhook endpoints: delete one first")
        row = conn.execute(
            sql.SQL(
                "INSERT INTO webhook_endpoints (user_id, url, events, description, secret) "
                "VALUES (%s, %s, %s, %s, %s) RETURNING {}"
            ).format(_COLUMNS),
            (user_id, url, events, description, secret),
        ).fetchone()
    assert row is not None
    return {**row, "secret": secret}


def page(user_id: UUID, *, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    query = sql.SQL("SELECT {} FROM webhook_endpoints WHERE user_id = %(user_id)s").format(_COLUMNS)
    return pagination.page(query, {"user_id": user_id}, limit=limit, cursor=cursor)


def get(user_id: UUID, endpoint_id: UUID) -> dict[str, Any]:
    row = db.fetch_one(
        sql.SQL("SELECT {} FROM webhook_endpoints WHERE id = %s AND user_id = %s").format(_COLUMNS),
        (endpoint_id, user_id),
    )
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


@db.retry_conflicts
def update(user_id: UUID, endpoint_id: UUID, changes: dict[str, Any]) -> dict[str, Any]:
    """Change what was sent. Enabling clears why it was disabled (and its failing streak); disabling is the
    owner's."""
    if "url" in changes:
        checked_url(changes["url"], "url")
    if "enabled" in changes:
        changes = {**changes, "disabled_reason": None if changes["enabled"] else "owner"}
        if changes["enabled"]:
            changes["failing_since"] = None
    with db.transaction() as conn:
        row = conn.execute(
            sql.SQL(
                "UPDATE webhook_endpoints SET {}, updated_at = now() WHERE id = %(id)s AND user_id = %(user_id)s "
                "RETURNING {}"
            ).format(db.assignments(changes), _COLUMNS),
            {**changes, "id": endpoint_id, "user_id": user_id},
        ).fetchone()
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


def delete(user_id: UUID, endpoint_id: UUID) -> None:
    """Delete an endpoint and its delivery log; a delivery under way finds nothing left to send."""
    with db.transaction() as conn:
        deleted = conn.execute(
            "DELETE FROM webhook_endpoints WHERE id = %s AND user_id = %s", (endpoint_id, user_id)
        ).rowcount
    if deleted == 0:
        raise NotFound(NOT_FOUND)


@db.retry_conflicts
def rotate_secret(user_id: UUID, endpoint_id: UUID | None) -> dict[str, Any]:
    """A new secret for an endpoint (``None``: the account's own, made on first use); the current one keeps
    signing until ``previous_secret_expires_at``. A second rotation within that time retires the oldest."""
    secret = signing.new_secret()
    overlap = webhook_settings().webhook_rotation_overlap_s
    with db.transaction() as conn:
        if endpoint_id is None:
            row = conn.execute(
                "INSERT INTO webhook_signing_secrets AS s (user_id, secret) VALUES (%(user_id)s, %(secret)s) "
                "ON CONFLICT (user_id) DO UPDATE SET previous_secret = s.secret, "
                "previous_secret_expires_at = now() + make_interval(secs => %(overlap)s), "
                "secret = EXCLUDED.secret, updated_at = now() RETURNING previous_secret_expires_at",
                {"user_id": user_id, "secret": secret, "overlap": overlap},
            ).fetchone()
        else:
            row = conn.execute(
                "UPDATE webhook_endpoints SET previous_secret = secret, secret = %(secret)s, "
                "previous_secret_expires_at = now() + make_interval(secs => %(overlap)s), updated_at = now() "
                "WHERE id = %(id)s AND user_id = %(user_id)s RETURNING previous_secret_expires_at",
                {"id": endpoint_id, "user_id": user_id, "secret": secret, "overlap": overlap},
            ).fetchone()
    if row is None:
        raise NotFound(NOT_FOUND)
    return {"id": str(endpoint_id or "default"), "secret": secret, **row}


def require_default_secret(conn: db.Connection, user_id: UUID, field: str) -> None:
    """A one-off webhook URL is signed with the account's secret: refuse one before it exists."""
    if conn.execute("SELECT 1 FROM webhook_signing_secrets WHERE user_id = %s", (user_id,)).fetchone() is None:
        raise InvalidInput(
            "a one-off webhook URL is signed with your account's webhook secret: create it first "
            "(POST /webhooks/default/rotate-secret)",
            details=[{"loc": ["body", field], "msg": "no signing secret yet", "type": "no_signing_secret"}],
        )
