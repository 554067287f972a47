"""First pull benchmark: how long a fresh phone's first sync takes the server, and how many bytes it downloads.

1. Starts the real server (``bench/sync_throughput.py``'s ``Server``: ``estatewalk demo`` then ``estatewalk serve
   --demo`` as its own process) on a fresh SQLite data directory or PostgreSQL database.
2. Writes a *sample* through real pushes over HTTP, as staff: 100 issues created, each then updated (new title and
   priority: the issue again and two ``field_changed`` events), 3 comments: the same mix per issue as
   ``bench/sync_throughput.py`` (about five change-log rows per issue).
3. Stops the server and copies the sample's change-log rows until the log holds ``--issues`` issues, each copy
   with fresh ids (issue, events, follow) and fresh versions, in one transaction. Pushing 10,000 issues one by one
   would take many minutes at today's push rate; the pull only reads the log, and these rows are byte for byte
   what pushes write, ids aside.
4. For each ``--code`` tree (e.g. a ``git archive`` of main, then this working tree) starts that code's server on
   the same data (``PYTHONPATH``), and a fresh phone signed in as staff pulls everything with ``--limit`` (gzip
   accepted, as browsers do), or by default with the page size that code's phone asks for (``pwa/js``). Checks:
   every issue present with its updated title, every comment, the first page says ``reset``; the code's figures are
   void otherwise.

Figures per code and database: pages, changes, seconds of all pull requests end to end over loopback (the server's
time: the client only waits), the server process's CPU seconds (from after the sign-in), JSON bytes, gzip bytes on
the wire and per issue.

    .venv/bin/python -m bench.first_pull --issues 10000 --database both --code /tmp/estatewalk-main --code .
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.server_process import ServerDidNotStart, ServerProcess
from bench.sync_throughput import POSTGRES_ADMIN_DSN, BenchFailure, Phase, Phone, Server
from bench.replica import apply_changes

SAMPLE_ISSUES = 100
SAMPLE_COMMENTS = 3
_COLUMNS = ("version", "estate_id", "client_id", "entity", "entity_id", "deleted", "data", "changed_at",
            "issue_id", "assignee_id", "user_id")


class CodeServer(Server):
    """The server of one source tree (its ``server`` package first on the path), on shared data."""

    def __init__(self, code: Path, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code

    @property
    def env(self) -> dict[str, str]:
        env = super().env
        env["PYTHONPATH"] = str(self.code)
        return env


def _commit(code: Path) -> str:
    marker = code / "COMMIT"
    if marker.exists():
        return marker.read_text().strip()
    answer = subprocess.run(["git", "-C", str(code), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(code), "status", "--porcelain"], capture_output=True, text=True)
    return answer.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def phone_limit(code: Path) -> int:
    """The page size the phone of this source tree asks for: the shared rules' ``changes_per_pull``, or in older
    trees the default of ``api.pull`` in ``pwa/js/api.js``."""
    rules = code / "pwa" / "js" / "rules.js"
    found = re.search(r'"changes_per_pull": (\d+)', rules.read_text()) if rules.exists() else None
    found = found or re.search(r"pull: \(clientId, cursor, limit = (\d+)\)", (code / "pwa/js/api.js").read_text())
    if found is None:
        raise BenchFailure(f"no pull page size found in {code}/pwa/js: give --limit")
    return int(found.group(1))


def push_sample(server: Server) -> None:
    phone = Phone(server.url, "staff@demo.test")
    phase = Phase("sample")
    ids = [str(uuid.uuid4()) for _ in range(SAMPLE_ISSUES)]
    creates = [phone.mutation("issue.create", {
        "id": ids[i], "estate_id": phone.estates[i % len(phone.estates)], "location_id": None,
        "category": "lighting", "title": f"Bench issue {i:05d}: landing light out",
        "description": f"Found on the benchmark walk, item {i}. The light on the landing is out after dusk.",
        "priority": "normal", "captured_at": "2026-11-20T10:15:00Z"}) for i in range(SAMPLE_ISSUES)]
    updates = [phone.mutation("issue.update", {"id": ids[i], "fields": {
        "title": f"Bench issue {i:05d}: landing light out on floor {i % 12} (checked)", "priority": "high"}})
        for i in range(SAMPLE_ISSUES)]
    comments = [phone.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": ids[i],
                                                 "body": f"Benchmark comment on issue {i}"})
                for i in range(SAMPLE_COMMENTS)]
    for batch in (creates, updates, comments):
        phone.push(batch, phase)
    phone.close()


def _copies(rows: list[dict[str, Any]], copies: int, first_version: int) -> list[tuple[Any, ...]]:
    """The sample's rows ``copies`` times, with the ids the sample made replaced by fresh ones per copy."""
    made = sorted({row["entity_id"] for row in rows if row["entity"] in ("issue", "issue_event", "follow")})
    out: list[tuple[Any, ...]] = []
    version = first_version
    for copy in range(copies):
        fresh = {old: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{copy}/{old}")) for old in made}
        for row in rows:
            values = dict(row)
            for column in ("entity_id", "data", "issue_id"):
                text = values[column]
                if isinstance(text, str):
                    for old in [o for o in made if o in text]:
                        text = text.replace(old, fresh[old])
                    values[column] = text
                elif text is not None and str(text) in fresh:  # asyncpg's own UUID type
                    values[column] = uuid.UUID(fresh[str(text)])
            values["version"] = version
            version += 1
            out.append(tuple(values[c] for c in _COLUMNS))
    return out


def grow_log_sqlite(path: Path, issues: int) -> None:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    with connection:
        base = connection.execute("SELECT version FROM change_counter WHERE id = 1").fetchone()[0]
        # The sample's rows are the last ones written, from the first bench issue's creation.
        first = connection.execute("SELECT min(version) FROM change_log WHERE entity = 'issue' AND data LIKE ?",
                                   ("%Bench issue 00000%",)).fetchone()[0]
        sample = [dict(r) for r in connection.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM change_log WHERE version >= ? ORDER BY version", (first,))]
        rows = _copies(sample, issues // SAMPLE_ISSUES - 1, base + 1)
        connection.executemany(f"INSERT INTO change_log ({', '.join(_COLUMNS)}) VALUES "
                               f"({', '.join('?' * len(_COLUMNS))})", rows)
        connection.execute("UPDATE change_counter SET version = ? WHERE id = 1", (base + len(rows),))
    connection.close()


async def grow_log_postgresql(dsn: str, issues: int) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            base = await connection.fetchval("SELECT version FROM change_counter WHERE id = 1")
            first = await connection.fetchval(
                "SELECT min(version) FROM change_log WHERE entity = 'issue' AND data::text LIKE $1",
                "%Bench issue 00000%")
            sample = [dict(r) for r in await connection.fetch(
                f"SELECT {', '.join(_COLUMNS)} FROM change_log WHERE version >= $1 "
                f"ORDER BY version", first)]
            rows = _copies(sample, issues // SAMPLE_ISSUES - 1, base + 1)
            placeholders = ", ".join(f"${n}" + ("::json" if c == "data" else "")
                                     for n, c in enumerate(_COLUMNS, start=1))
            await connection.executemany(
                f"INSERT INTO change_log ({', '.join(_COLUMNS)}) VALUES ({placeholders})", rows)
            await connection.execute("UPDATE change_counter SET version = $1 WHERE id = 1", base + len(rows))
        # What autovacuum does within a minute of so many inserts: without statistics the planner takes the log
        # for a few hundred rows.
        await connection.execute("ANALYZE change_log")
    finally:
        await connection.close()


def fresh_pull(phone: Phone, limit: int) -> dict[str, Any]:
    """A new phone's first sync, once signed in; the figures and the replica it ends with."""
    phone.http.headers["Accept-Encoding"] = "gzip"
    cursor = None
    pages = changes = raw = wire = 0
    seconds = 0.0
    held: dict[str, dict[str, Any]] = {}
    for page in range(100_000):
        started = time.perf_counter()
        answer = phone.http.post("/api/sync/pull", json={"client_id": phone.client_id, "cursor": cursor,
                                                         "limit": limit})
        seconds += time.perf_counter() - started
        if answer.status_code != 200:
            raise BenchFailure(f"pull page {page}: {answer.status_code} {answer.text[:500]}")
        body = answer.json()
        if (page == 0) != body["reset"]:
            raise BenchFailure(f"page {page} says reset={body['reset']}")
        pages += 1
        changes += len(body["changes"])
        raw += len(answer.content)
        wire += answer.num_bytes_downloaded
        apply_changes(held, body["changes"])
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    phone.close()
    return {"pages": pages, "changes": changes, "seconds": seconds, "raw": raw, "wire": wire, "held": held}


def check(held: dict[str, dict[str, Any]], issues: int) -> None:
    bench = [i for i in held.get("issue", {}).values() if i["title"].startswith("Bench issue")]
    if len(bench) != issues or not all(i["title"].endswith("(checked)") and i["priority"] == "high" for i in bench):
        raise BenchFailure(f"{len(bench)} bench issues held, not {issues} all updated")
    comments = [e for e in held.get("issue_event", {}).values() if e["kind"] == "comment"
                and str(e.get("data", {}).get("body", "")).startswith("Benchmark comment")]
    if len(comments) != issues // SAMPLE_ISSUES * SAMPLE_COMMENTS:
        raise BenchFailure(f"{len(comments)} comments held")


def run(database: str, issues: int, codes: list[Path], limits: list[int] | None,
        keep: bool = False) -> list[dict[str, str]]:
    workdir = Path(tempfile.mkdtemp(prefix=f"estatewalk_first_pull_{database}_"))
    results: list[dict[str, str]] = []
    pg_name: str | None = None
    for n, code in enumerate(codes):
        server = CodeServer(code, database, workdir, keep=True)
        if n == 0:
            server.start()
            pg_name = server.pg_name
            push_sample(server)
            server.stop()
            if database == "sqlite":
                grow_log_sqlite(server.data_dir / "estatewalk.sqlite3", issues)
            else:
                asyncio.run(grow_log_postgresql(POSTGRES_ADMIN_DSN.rsplit("/", 1)[0] + f"/{pg_name}", issues))
        server.pg_name = pg_name
        _serve(server)
        try:
            for limit in limits or [phone_limit(code)]:
                # Signed in first: checking the password (argon2) costs the server about 0.2 s of CPU, which is
                # the sign-in's, not the pull's.
                phone = Phone(server.url, "staff@demo.test")
                cpu = server.cpu_seconds()
                pull = fresh_pull(phone, limit)
                cpu = server.cpu_seconds() - cpu
                check(pull["held"], issues)
                results.append({
                    "code": _commit(code), "database": database, "limit": str(limit), "pages": str(pull["pages"]),
                    "changes": f"{pull['changes']:,}", "server s": f"{pull['seconds']:.2f}",
                    "server CPU s": f"{cpu:.2f}", "JSON MB": f"{pull['raw'] / 1e6:.1f}",
                    "gzip MB": f"{pull['wire'] / 1e6:.2f}", "gzip B/issue": f"{pull['wire'] / issues:.0f}"})
                print(results[-1], flush=True)
        finally:
            server.keep = keep or n < len(codes) - 1
            server.stop()
    if keep:
        print(f"kept {workdir}" + (f" and database {pg_name}" if pg_name else ""), flush=True)
    else:
        shutil.rmtree(workdir, ignore_errors=True)  # the grown SQLite log alone is 65 MB a run
    return results


def _serve(server: CodeServer) -> None:
    """Start ``estatewalk serve`` of that code on data that is already there (no demo load)."""
    server.server = ServerProcess(server.env, log_path=server.log_path, cwd=server.code)
    try:
        server.server.start(timeout=60)
    except ServerDidNotStart as failure:
        raise BenchFailure(str(failure)) from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--code", type=Path, action="append", help="a source tree to run (repeatable)")
    parser.add_argument("--limit", type=int, action="append",
                        help="pull page size (repeatable; default: what each code's phone asks for)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and database")
    args = parser.parse_args()
    codes = [c.resolve() for c in (args.code or [Path(".")])]
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print(f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
          flush=True)
    rows = [row for database in databases for row in run(database, args.issues, codes, args.limit, args.keep)]
    print(f"load {os.getloadavg()[0]:.1f} at the end")
    headers = list(rows[0])
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for row in rows:
        print("| " + " | ".join(row[h] for h in headers) + " |")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
