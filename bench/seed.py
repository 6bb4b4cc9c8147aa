"""A database the size of a busy year: users, their generations (a few keeping a result image), wardrobe
items and collections, and a token ledger that adds up (``users.tokens`` = the sum of each user's ledger).

Rows go in with ``COPY``, in batches of users, with triggers and foreign-key checks off
(``session_replication_role = replica``): what the triggers would keep true (opening balances, collection
item counts, ``saved_to_wardrobe``) is computed here instead, and checked after loading. Seeding grows a
database to a :class:`Scale`, so the same database is measured small, then grown and measured again; the
benchmark's own user (the sample events' ``11111111-…``) has the same rows at every size.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from bench import images
from bench.pg import BenchDatabase

HOT_USER = UUID("11111111-1111-4111-8111-111111111111")
HOT_EMAIL = "bench@imagify.local"
DEMO_EMAIL = "demo@imagify.local"
DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - the password of events/auth_login/login.json
HOT_GENERATIONS = 400
HOT_ITEMS = 120
HOT_TOKENS = 1_000_000

IMAGE_SHARE = 0.02  # generations that keep a result image (~150-450 KB data URI)
FAILED_SHARE = 0.09
IN_FLIGHT_SHARE = 0.001  # pending/processing, started in the last minutes
ITEM_PHOTO_SHARE = 0.10  # wardrobe items with a full photo (~50-150 KB); the rest are small cut-outs
SAVED_SHARE = 0.15  # of the image-keeping generations, those saved to the wardrobe
BATCH_USERS = 250


@dataclass(frozen=True)
class Scale:
    name: str
    users: int
    generations: int
    items: int


FULL = Scale("full", 10_000, 1_000_000, 200_000)
QUICK = Scale("quick", 1_000, 100_000, 20_000)
SMALL = Scale("10k", 100, 10_000, 2_000)

GARMENTS = [
    "trench coat",
    "linen shirt",
    "wool blazer",
    "slip dress",
    "denim jacket",
    "pleated skirt",
    "knit sweater",
    "cargo trousers",
    "silk blouse",
    "puffer vest",
    "leather boots",
    "summer dress",
    "tailored suit",
    "hoodie",
]
COLOURS = ["camel", "navy", "olive", "ivory", "black", "burgundy", "sage green", "mustard", "charcoal", "sky blue"]
DETAILS = [
    "with gold buttons",
    "oversized fit",
    "cropped",
    "with a belt",
    "double-breasted",
    "with wide sleeves",
    "in a relaxed cut",
    "with pleats",
    "with a high collar",
    "in a slim fit",
]
SETTINGS = [
    "on a Paris street at dusk",
    "in a minimalist studio",
    "at a summer garden party",
    "in a rainy city",
    "on a beach boardwalk",
    "in an art gallery",
    "for an office day",
    "for a winter weekend",
]
TAGS = ["summer", "winter", "work", "casual", "party", "favourite", "wedding", "travel", "sport", "evening"]
FAILURES = [
    "the image service is busy right now; please try again in a minute; your tokens were refunded",
    "the image model declined this request for safety reasons; your tokens were refunded",
    "something went wrong while generating; your tokens were refunded",
]
MODES = (("tryon", 0.45), ("from_prompt", 0.35), ("photo_text", 0.20))


def prompt(rng: random.Random) -> str:
    return (
        f"a {rng.choice(COLOURS)} {rng.choice(GARMENTS)} {rng.choice(DETAILS)}, "
        f"worn {rng.choice(SETTINGS)}, photographed in natural light"
    )


@dataclass
class Pools:
    results: images.Pool
    photos: images.Pool
    thumbnails: images.Pool

    @staticmethod
    def make(quick: bool) -> Pools:
        return Pools(
            results=images.result_pool(8 if quick else 24),
            photos=images.item_pool(8 if quick else 16),
            thumbnails=images.thumbnail_pool(8),
        )


@dataclass
class Batch:
    users: list[tuple[Any, ...]] = field(default_factory=list)
    collections: list[tuple[Any, ...]] = field(default_factory=list)
    generations: list[tuple[Any, ...]] = field(default_factory=list)
    items: list[tuple[Any, ...]] = field(default_factory=list)
    ledger: list[tuple[Any, ...]] = field(default_factory=list)
    image_bytes: int = 0

    def __len__(self) -> int:
        return len(self.users)


@dataclass
class SeedReport:
    scale: Scale
    seconds: float
    added_users: int
    added_generations: int
    added_items: int
    image_bytes: int
    database_bytes: int


_COLUMNS = {
    "users": "id, email, name, password_hash, role, plan, tokens, email_verified, created_at, updated_at",
    "wardrobe_collections": "id, user_id, name, item_count, created_at",
    "generations": "id, user_id, mode, status, prompt, user_photo_url, item_photo_url, result_image_base64, "
    "ai_prompt_used, model_used, generation_time_ms, error_message, saved_to_wardrobe, created_at",
    "wardrobe_items": "id, user_id, generation_id, title, description, image_base64, collection_id, tags, "
    "created_at, updated_at",
    "token_transactions": "user_id, delta, balance_after, kind, generation_id, actor_id, note, created_at",
}


def _spread(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` skewed counts (a few heavy users, many light ones)."""
    if parts <= 0:
        return []
    weights = [min(rng.paretovariate(1.3), 60.0) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for n in range(total - sum(counts)):
        counts[n % parts] += 1
    return counts


class Seeder:
    def __init__(self, db: BenchDatabase, pools: Pools, *, seed: int = 20251126) -> None:
        self.db = db
        self.pools = pools
        self.rng = random.Random(seed)
        self.now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)  # the columns hold naive UTC
        from imagify.generations import instructions
        from imagify.identity.passwords import hash_password

        self._instruction = instructions.instruction
        self._password_hash = hash_password("bench-password-not-used")
        self._demo_hash = hash_password(DEMO_PASSWORD)

    # -- what is there ---------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self.db.connect() as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM generations) AS generations, "
                "(SELECT count(*) FROM wardrobe_items) AS items"
            ).fetchone()
        assert row is not None
        return {k: int(v) for k, v in row.items()}

    # -- growing ---------------------------------------------------------------------------------------

    def grow_to(self, scale: Scale, say: Any = print) -> SeedReport:
        started = time.monotonic()
        have = self.counts()
        new_users = max(0, scale.users - have["users"])
        new_generations = max(0, scale.generations - have["generations"])
        new_items = max(0, scale.items - have["items"])
        plans: list[tuple[UUID, str, str, int, int, int]] = []  # id, email, kind, generations, items, tokens
        if have["users"] == 0:
            plans.append((HOT_USER, HOT_EMAIL, "hot", HOT_GENERATIONS, HOT_ITEMS, HOT_TOKENS))
            plans.append((uuid.uuid4(), DEMO_EMAIL, "demo", 0, 0, 50))
            new_users = max(0, new_users - 2)
            new_generations = max(0, new_generations - HOT_GENERATIONS)
            new_items = max(0, new_items - HOT_ITEMS)
        first = have["users"]
        generation_counts = _spread(new_generations, new_users, self.rng)
        item_counts = _spread(new_items, new_users, self.rng)
        for n in range(new_users):
            email = f"user{first + n:06d}@bench.imagify.local"
            plans.append((uuid.uuid4(), email, "user", generation_counts[n], item_counts[n], 0))
        image_bytes = 0
        done = 0
        for offset in range(0, len(plans), BATCH_USERS):
            batch = Batch()
            for plan in plans[offset : offset + BATCH_USERS]:
                self._user(batch, *plan)
            self._write(batch)
            image_bytes += batch.image_bytes
            done += len(batch)
            if done % (BATCH_USERS * 8) == 0 or done == len(plans):
                say(f"  seeded {done}/{len(plans)} users ({image_bytes / 2**30:.2f} GiB of images so far)")
        self._analyze()
        return SeedReport(
            scale=scale,
            seconds=time.monotonic() - started,
            added_users=len(plans),
            added_generations=sum(p[3] for p in plans),
            added_items=sum(p[4] for p in plans),
            image_bytes=image_bytes,
            database_bytes=self.db.disk_usage(),
        )

    def _user(
        self, batch: Batch, user_id: UUID, email: str, kind: str, n_generations: int, n_items: int, tokens: int
    ) -> None:
        rng = self.rng
        hot = kind == "hot"
        created = self.now - timedelta(days=rng.uniform(200, 720))
        # Generations, oldest first, between sign-up and an hour ago (in-flight ones: the last minutes).
        span = (self.now - timedelta(hours=1) - created).total_seconds()
        times = sorted(created + timedelta(seconds=rng.uniform(60, span)) for _ in range(n_generations))
        image_share = 0.10 if hot else IMAGE_SHARE
        failed_share = 0.10 if hot else FAILED_SHARE
        generations: list[tuple[UUID, datetime, str, str | None]] = []  # id, created, status, image
        for at in times:
            draw = rng.random()
            image = None
            if draw < image_share:
                status, image = "completed", self.pools.results.pick(rng)
            elif draw < image_share + failed_share:
                status = "failed"
            elif not hot and draw < image_share + failed_share + IN_FLIGHT_SHARE:
                status, at = rng.choice(("pending", "processing")), self.now - timedelta(seconds=rng.uniform(5, 240))
            else:
                status = "completed"  # an older result whose image is no longer kept
            generations.append((uuid.uuid4(), at, status, image))
        # Wardrobe: a few collections; items saved from a kept result carry a copy of its image.
        collections = [uuid.uuid4() for _ in range(rng.randint(1, 4) if n_items else 0)]
        counts = dict.fromkeys(collections, 0)
        kept = [g for g in generations if g[3] is not None]
        saved: set[UUID] = set()
        for _ in range(n_items):
            at = created + timedelta(seconds=rng.uniform(60, (self.now - created).total_seconds() - 60))
            generation_id = None
            if kept and rng.random() < SAVED_SHARE * len(kept) / max(1, n_items):
                source = rng.choice(kept)
                generation_id, image, at = source[0], source[3], max(at, source[1] + timedelta(minutes=2))
                saved.add(source[0])
            elif rng.random() < ITEM_PHOTO_SHARE:
                image = self.pools.photos.pick(rng)
            else:
                image = self.pools.thumbnails.pick(rng)
            collection = rng.choice(collections) if collections and rng.random() < 0.4 else None
            if collection is not None:
                counts[collection] += 1
            assert image is not None
            batch.image_bytes += len(image)
            tags = sorted(rng.sample(TAGS, rng.randint(0, 3)))
            batch.items.append(
                (
                    uuid.uuid4(),
                    user_id,
                    generation_id,
                    f"{rng.choice(COLOURS)} {rng.choice(GARMENTS)}",
                    rng.choice([None, prompt(rng)]),
                    image,
                    collection,
                    tags,
                    at,
                    at,
                )
            )
        for number, collection in enumerate(collections):
            name = ["Summer", "Work", "Weekend", "Evening"][number]
            batch.collections.append((collection, user_id, name, counts[collection], created + timedelta(days=1)))
        # Ledger: the opening balance, a top-up that pays for everything, then each charge and refund.
        balance = 50
        ledger: list[tuple[Any, ...]] = [(user_id, 50, 50, "signup", None, None, "opening balance", created)]
        top_up = (tokens or 10) + n_generations
        balance += top_up
        ledger.append((user_id, top_up, balance, "admin_adjustment", None, None, "bench top-up", created))
        for generation_id, at, status, image in generations:
            mode = self._mode(rng)
            text = None if mode == "tryon" and rng.random() < 0.8 else prompt(rng)
            photos: tuple[str | None, str | None] = (None, None)
            if mode != "from_prompt":
                photos = (
                    f"upload:uploads/{user_id}/user_photo/{uuid.uuid4()}",
                    f"upload:uploads/{user_id}/item_photo/{uuid.uuid4()}" if mode == "tryon" else None,
                )
            done = status in ("completed", "failed")
            batch.generations.append(
                (
                    generation_id,
                    user_id,
                    mode,
                    status,
                    text,
                    photos[0],
                    photos[1],
                    image,
                    self._instruction(mode, text),
                    "gemini-2.5-flash-image" if status == "completed" else None,
                    rng.randint(3_000, 20_000) if status == "completed" else None,
                    rng.choice(FAILURES) if status == "failed" else None,
                    generation_id in saved,
                    at,
                )
            )
            if image is not None:
                batch.image_bytes += len(image)
            balance -= 1
            ledger.append((user_id, -1, balance, "generation_charge", generation_id, None, None, at))
            if status == "failed" and done:
                balance += 1
                refunded_at = at + timedelta(seconds=rng.uniform(5, 90))
                ledger.append(
                    (user_id, 1, balance, "generation_refund", generation_id, None, "GeminiUnavailable", refunded_at)
                )
        batch.ledger.extend(ledger)
        role = "user"
        plan = "pro" if rng.random() < 0.1 else "free"
        password = self._demo_hash if kind == "demo" else self._password_hash
        name = "Bench" if hot else ("Demo" if kind == "demo" else f"User {email.split('@')[0]}")
        batch.users.append((user_id, email, name, password, role, plan, balance, created, created, created))

    @staticmethod
    def _mode(rng: random.Random) -> str:
        draw = rng.random()
        for mode, share in MODES:
            if draw < share:
                return mode
            draw -= share
        return MODES[-1][0]

    def _write(self, batch: Batch) -> None:
        with self.db.connect() as conn:
            conn.execute("SET session_replication_role = replica")  # no triggers, no FK checks: computed above
            conn.execute("SET synchronous_commit = off")
            conn.execute("SET statement_timeout = 0")  # the database's 15 s is for requests, not for loading
            with conn.transaction():
                for table, rows in (
                    ("users", batch.users),
                    ("wardrobe_collections", batch.collections),
                    ("generations", batch.generations),
                    ("wardrobe_items", batch.items),
                    ("token_transactions", batch.ledger),
                ):
                    if not rows:
                        continue
                    with conn.cursor().copy(f"COPY {table} ({_COLUMNS[table]}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)

    def _analyze(self) -> None:
        with self.db.connect() as conn:
            conn.execute("SET statement_timeout = 0")
            for table in ("users", "wardrobe_collections", "token_transactions"):
                conn.execute(f"VACUUM (ANALYZE) {table}")
            for table in ("generations", "wardrobe_items"):
                # The heap and its visibility map; the toast table (the images) is only ever appended to here.
                conn.execute(f"VACUUM (ANALYZE, PROCESS_TOAST false) {table}")


def check_ledger(db: BenchDatabase, users: list[UUID] | None = None) -> list[str]:
    """Users whose ``tokens`` is not the sum of their ledger (all users, or the given ones)."""
    query = (
        "SELECT u.id, u.tokens, COALESCE(l.total, 0)::int AS ledger FROM users u "
        "LEFT JOIN (SELECT user_id, sum(delta) AS total FROM token_transactions GROUP BY user_id) l "
        "ON l.user_id = u.id WHERE u.tokens <> COALESCE(l.total, 0)"
    )
    params: tuple[Any, ...] = ()
    if users is not None:
        query = (
            "SELECT u.id, u.tokens, COALESCE((SELECT sum(delta) FROM token_transactions t WHERE t.user_id = u.id), 0)"
            "::int AS ledger FROM users u WHERE u.id = ANY(%s)"
        )
        params = (users,)
    with db.connect() as conn:
        rows = conn.execute(query, params).fetchall()
    return [f"{r['id']}: tokens {r['tokens']}, ledger {r['ledger']}" for r in rows if r["tokens"] != r["ledger"]]
