"""``python -m bench``: every benchmark (or ``--only`` some), their tables printed and written to
``docs/performance.md``.

Postgres is embedded in a temporary directory (deleted at the end) unless ``--database-url`` /
``DATABASE_URL`` names a server or ``--pgdata`` a data directory to keep (a seeded database is then
reused by the next run). The run seeds a small database (10 k generations), measures, grows it to the
full scale (1 M generations; ``--quick``: 100 k) and measures again. Nothing here asserts on a timing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import machine, report, seed
from bench.pg import BenchDatabase
from bench.report import Section

# The tables go to the real stdout; the functions' own output (Powertools' JSON logs and EMF metrics,
# which they print) goes to /dev/null while the benchmarks run: formatted as in Lambda, not shown.
TABLES = sys.stdout

BENCHMARKS = ("payloads", "coldstart", "init", "pyc", "flow", "batch", "contention", "warm")
ROOT = Path(__file__).resolve().parents[1]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a short run: 100 k generations, fewer repetitions")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="a Postgres to use (superuser)")
    parser.add_argument("--pgdata", type=Path, help="keep the embedded server's data here (reused when seeded)")
    parser.add_argument("--no-write", action="store_true", help=f"print only; leave {report.DOC.name} alone")
    parser.add_argument("--reps", type=int, help="cold starts per function (default 15; --quick 5)")
    parser.add_argument(
        "--ref", help="coldstart: also compare cold starts of the code at this git ref with the working tree"
    )
    parser.add_argument(
        "--functions", default="", help="init: only these functions (comma-separated, e.g. MeGet); prints only"
    )
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()] or list(BENCHMARKS)
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
    args.chosen = chosen
    args.no_write = args.no_write or bool(args.functions)  # (a subset's table does not replace the whole one)
    args.scale = seed.QUICK if args.quick else seed.FULL
    args.reps = args.reps or (5 if args.quick else 15)
    return args


class Run:
    """The state the benchmarks share: the database, the local stack, the sections produced so far."""

    def __init__(self, args: argparse.Namespace, exits: ExitStack) -> None:
        self.args = args
        self.exits = exits
        self.sections: list[Section] = []
        self.workdir = Path(exits.enter_context(tempfile.TemporaryDirectory(prefix="imagify-bench-")))
        self._db: BenchDatabase | None = None
        self._stack: Any = None
        self._seeder: seed.Seeder | None = None
        self.load_at_start = machine.load_average()
        self.started = time.monotonic()

    @property
    def quick(self) -> bool:
        return bool(self.args.quick)

    def db(self) -> BenchDatabase:
        if self._db is None:
            say("starting Postgres ...")
            self._db = self.exits.enter_context(BenchDatabase(url=self.args.database_url, pgdata=self.args.pgdata))
            applied = self._db.migrate()
            say(f"  {self._db.version()}, {applied} migrations applied")
        return self._db

    def seeder(self) -> seed.Seeder:
        if self._seeder is None:
            self._seeder = seed.Seeder(self.db(), seed.Pools.make(self.quick))
        return self._seeder

    def seeded(self, scale: seed.Scale) -> seed.SeedReport | None:
        have = self.seeder().counts()
        if have["generations"] >= scale.generations:
            return None
        say(f"seeding to {scale.name}: {scale.users} users, {scale.generations} generations, {scale.items} items ...")
        result = self.seeder().grow_to(scale, say=say)
        say(f"  done in {result.seconds:.0f} s; database {result.database_bytes / 2**30:.2f} GiB")
        problems = seed.check_ledger(self.db())
        if problems:
            raise RuntimeError("seeded ledger does not add up: " + "; ".join(problems[:5]))
        return result

    def stack(self) -> Any:
        """The local stack (moto with the template's resources, the environment the handlers read) on the
        benchmark's database."""
        if self._stack is None:
            from devstack.stack import Stack
            from devstack.template import load

            say("starting the local stack ...")
            template = load(ROOT / "template.yaml")
            self._stack = self.exits.enter_context(
                Stack(template, state_dir=self.workdir / "devstack", database_url=self.db().url)
            )
            self._stack.aws.client("ssm").put_parameter(
                Name=self.template().function("HealthFunction").environment["DATABASE_URL_PARAMETER"],
                Value=self.db().url,
                Type="SecureString",
                Overwrite=True,
            )
        return self._stack

    def template(self) -> Any:
        return self.stack().template

    def publish(self, section: Section) -> None:
        self.sections.append(section)
        print(section.printable(), file=TABLES, flush=True)
        if not self.args.no_write:
            report.update([section, self.machine_section()])

    def machine_section(self) -> Section:
        postgres = self._db.version() if self._db else "no database used"
        described = machine.describe(postgres)
        out = Section("machine", "Machine")
        command = " ".join(["python -m bench", *self.args.argv]).strip()
        out.paragraph(
            f"Last run: {described.date}, `{command}` ({(time.monotonic() - self.started) / 60:.0f} min so far "
            "when this section was written). The machine is shared: other test suites ran beside the benchmark, "
            "so single figures move by 10-20 % between runs; the load average below says how busy it was."
        )
        out.table(
            report_table(
                [
                    ("cores", str(described.cores)),
                    ("memory", f"{described.memory_gib:.0f} GiB"),
                    ("CPU", described.cpu),
                    ("system", described.system),
                    ("Python", described.python),
                    ("Postgres", postgres),
                    ("load average (1/5/15 min) at start, now", f"{self.load_at_start}; {machine.load_average()}"),
                ]
            )
        )
        return out


def report_table(pairs: list[tuple[str, str]]) -> str:
    from bench.stats import markdown_table

    return markdown_table(["", ""], [list(p) for p in pairs], "ll")


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    args = parse(argv)
    started = time.monotonic()
    from bench import suites

    steps: dict[str, Callable[[Run], None]] = suites.STEPS
    with ExitStack() as exits:
        exits.enter_context(contextlib.redirect_stdout(open(os.devnull, "w")))  # noqa: SIM115
        run = Run(args, exits)
        for name in BENCHMARKS:
            if name in args.chosen:
                say(f"--- {name}")
                steps[name](run)
    say(f"all done in {(time.monotonic() - started) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
