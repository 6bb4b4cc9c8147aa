"""Bytecode that stays valid in a Lambda zip: compile a built layer (or function) with hash-based .pyc files.

Why: a deployment package is a zip whose entries carry the same fixed timestamp (SAM writes 1980-01-01),
and Lambda extracts it read-only. A classic ``.pyc`` records its source's mtime and size; after the
zip round trip the source's mtime is 1980, the record is the build time, so Python treats every ``.pyc``
as stale, compiles every module from source at every cold start, and cannot write the result back. A
hash-based ``.pyc`` (PEP 552) records a hash of the source instead: ``unchecked-hash`` ones are used as
they are, whatever the timestamps; ``checked-hash`` ones are used after hashing the source each time.

Usage (no dependency beyond the standard library; run it with the Lambda runtime's Python version, since
bytecode is per version)::

    sam build
    python3.13 tools/pyc.py .aws-sam/build/CommonLayer/python .aws-sam/build/*Function
    sam deploy

It removes any ``__pycache__`` there, compiles every ``.py`` with ``--invalidation-mode unchecked-hash``
(what ``python -m compileall -j 0 --invalidation-mode unchecked-hash <dir>`` does) and sets every file's
mtime to 1980-01-01, as the zip will. ``--mode`` picks another invalidation mode (the benchmark compares
them); ``--stale`` compiles timestamp pycs and then moves the mtimes (what a SAM zip does to them).
"""

from __future__ import annotations

import argparse
import compileall
import os
import py_compile
import shutil
import sys
from pathlib import Path

ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold

MODES = {
    "timestamp": py_compile.PycInvalidationMode.TIMESTAMP,
    "checked-hash": py_compile.PycInvalidationMode.CHECKED_HASH,
    "unchecked-hash": py_compile.PycInvalidationMode.UNCHECKED_HASH,
}


def remove_bytecode(root: Path) -> int:
    removed = 0
    for cache in sorted(root.rglob("__pycache__"), reverse=True):
        if cache.is_dir():
            shutil.rmtree(cache)
            removed += 1
    return removed


def set_mtimes(root: Path, epoch: int = ZIP_EPOCH) -> int:
    touched = 0
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, (epoch, epoch))
            touched += 1
    return touched


def compile_tree(root: Path, mode: str = "unchecked-hash", *, workers: int = 0) -> bool:
    """Compile every module under ``root`` (quietly); False if any failed to compile."""
    return bool(
        compileall.compile_dir(
            str(root), quiet=2, workers=workers, invalidation_mode=MODES[mode], force=True, legacy=False
        )
    )


def prepare(root: Path, mode: str, *, epoch: int = ZIP_EPOCH) -> None:
    """Fresh bytecode of ``mode`` under ``root``, then every mtime set to ``epoch``.

    ``mode="stale"`` is what a build that compiled timestamp pycs ships once zipped: timestamp pycs whose
    sources' mtimes no longer match; ``mode="none"`` ships sources only. Both compile at every cold start.
    """
    remove_bytecode(root)
    if mode == "stale":
        compile_tree(root, "timestamp")
    elif mode != "none":
        compile_tree(root, mode)
    set_mtimes(root, epoch)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("paths", nargs="+", type=Path, help="built layer/function directories to compile in place")
    parser.add_argument("--mode", choices=sorted(MODES), default="unchecked-hash")
    parser.add_argument("--stale", action="store_true", help="timestamp pycs with moved mtimes (for comparison)")
    parser.add_argument("--epoch", type=int, default=ZIP_EPOCH, help="mtime to set (default 1980-01-01)")
    args = parser.parse_args(argv)
    for path in args.paths:
        if not path.is_dir():
            print(f"{path}: not a directory", file=sys.stderr)
            return 2
        prepare(path, "stale" if args.stale else args.mode, epoch=args.epoch)
        print(f"{path}: compiled ({'stale timestamp' if args.stale else args.mode}), mtimes set to {args.epoch}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
