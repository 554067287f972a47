"""Push latency as history grows: does a 200-mutation push cost the same with 10k, 100k and 1M change rows logged?

For each database this starts ``estatewalk serve --demo`` as its own process (``bench.sync_throughput.Server``),
signs in as ``staff@demo.test`` and, for each history size in turn, fills ``change_log`` up to that many rows
straight in the database (``bench.history``: ``executemany`` on SQLite, ``COPY`` then ``ANALYZE`` on PostgreSQL),
then times ``--rounds`` rounds of one push of ``--batch`` ``issue.create`` and one push of as many
``issue.update`` of those issues (after ``--warmup`` rounds not timed, to warm the caches). Every push must come
back all ``applied``; the server log must hold no traceback. Prints p50/p95/max per push kind and size.

    .venv/bin/python -m bench.push_latency_history [--database sqlite|postgresql|both]
        [--sizes 10000,100000,1000000] [--rounds 5] [--warmup 1] [--batch 200]

To measure older code, put its tree first on the path: ``PYTHONPATH=/path/to/old/tree`` (the server process
inherits it; the benchmark prints which tree the server's code came from).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from uuid import UUID

from bench.history import change_log_rows, fill_change_log_to
from bench.sync_throughput import (
    CATEGORIES,
    REPO,
    BenchFailure,
    Phase,
    Phone,
    Server,
    machine,
    percentile,
    print_table,
)
from sync.mutations import MAX_BATCH


def _code_tree() -> str:
    """The tree the server imports its code from, and that tree's commit."""
    # Run from elsewhere, as the server's console script is: the current directory would come first on the path.
    found = subprocess.run([sys.executable, "-c", "import server, pathlib; print(pathlib.Path(server.__file__)"
                            ".resolve().parent.parent)"], cwd="/", capture_output=True, text=True, timeout=60)
    tree = found.stdout.strip() or str(REPO)
    commit = subprocess.run(["git", "-C", tree, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            timeout=30).stdout.strip()
    dirty = subprocess.run(["git", "-C", tree, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, timeout=30).stdout.strip()
    return f"{tree} at {commit}{' (with uncommitted changes)' if dirty else ''}"


def _round(phone: Phone, estates: list[str], batch: int, create: Phase, update: Phase, tag: str) -> None:
    ids = [str(uuid.uuid4()) for _ in range(batch)]
    phone.push([phone.mutation("issue.create", {
        "id": issue_id, "estate_id": estates[i % len(estates)], "location_id": None,
        "category": CATEGORIES[i % len(CATEGORIES)], "title": f"History bench {tag} issue {i}",
        "description": "Landing light out after dusk.", "priority": "normal",
        "captured_at": "2026-11-20T10:15:00Z",
    }) for i, issue_id in enumerate(ids)], create)
    phone.push([phone.mutation("issue.update", {
        "id": issue_id, "fields": {"title": f"History bench {tag} issue {i} (checked)", "priority": "high"},
    }) for i, issue_id in enumerate(ids)], update)


def run_one(database: str, sizes: list[int], rounds: int, batch: int, keep: bool,
            warmup: int = 1) -> list[dict[str, str]]:
    workdir = Path(tempfile.mkdtemp(prefix=f"estatewalk_history_{database}_"))
    server = Server(database, workdir, keep)
    rows: list[dict[str, str]] = []
    try:
        server.start()
        dsn = server.env.get("DATABASE_URL")
        sqlite_path = server.data_dir / "estatewalk.sqlite3"
        phone = Phone(server.url, "staff@demo.test")
        if not phone.estates:
            raise BenchFailure("staff@demo.test is staff on no estate")
        estate_ids = [UUID(e) for e in phone.estates]
        for size in sizes:
            started = time.perf_counter()
            added = asyncio.run(fill_change_log_to(size, estate_ids, sqlite_path=sqlite_path, dsn=dsn))
            print(f"[{database}] change_log filled to {size:,} rows (+{added:,} in "
                  f"{time.perf_counter() - started:.1f} s)", flush=True)
            for number in range(warmup):
                _round(phone, phone.estates, batch, Phase("warm-up"), Phase("warm-up"), f"{size} warm-up {number}")
            create, update = Phase("create"), Phase("update")
            for number in range(rounds):
                _round(phone, phone.estates, batch, create, update, f"{size} {number}")
            logged = asyncio.run(change_log_rows(sqlite_path=sqlite_path, dsn=dsn))
            for phase in (create, update):
                rows.append({
                    "database": database, "change_log rows": f"{size:,}", "push": f"{batch} × issue.{phase.name}",
                    "pushes": str(phase.requests),
                    "p50 ms": f"{percentile(phase.latencies, 50) * 1000:,.0f}",
                    "p95 ms": f"{percentile(phase.latencies, 95) * 1000:,.0f}",
                    "max ms": f"{max(phase.latencies) * 1000:,.0f}",
                    "mutations/s": f"{phase.items / sum(phase.latencies):,.0f}",
                })
            print(f"[{database}] {size:,} rows (log now {logged:,}): create p50 "
                  f"{percentile(create.latencies, 50) * 1000:,.0f} ms, update p50 "
                  f"{percentile(update.latencies, 50) * 1000:,.0f} ms", flush=True)
        phone.close()
        log = server.log_text()
        if "Traceback" in log or " 500 " in log:
            raise BenchFailure(f"the server logged an error:\n{server.log_tail()}")
        return rows
    finally:
        server.stop()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.push_latency_history",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="change_log sizes, ascending, comma-separated (10000,100000,1000000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per size (5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds before each size's timed ones (1)")
    parser.add_argument("--batch", type=int, default=200, help=f"mutations per push (at most {MAX_BATCH}; 200)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and database afterwards")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if sizes != sorted(sizes) or sizes[0] < 1:
        parser.error("--sizes must be positive and ascending")
    if not 1 <= args.batch <= MAX_BATCH or args.rounds < 1:
        parser.error(f"--batch must be 1..{MAX_BATCH} and --rounds at least 1")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]

    print("\n".join(machine()))
    arguments = argv if argv is not None else sys.argv[1:]
    print(f"command: {' '.join(['python -m bench.push_latency_history', *arguments])}")
    print(f"server code: {_code_tree()}\n", flush=True)
    rows: list[dict[str, str]] = []
    failed = False
    for database in databases:
        try:
            rows.extend(run_one(database, sizes, args.rounds, args.batch, args.keep, args.warmup))
        except BenchFailure as failure:
            failed = True
            print(f"\n[{database}] BENCHMARK FAILED: {failure}\n", file=sys.stderr, flush=True)
    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print_table(rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
