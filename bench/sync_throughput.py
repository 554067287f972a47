"""Sync benchmark: push and pull of many issues with updates, against the real server over real HTTP.

For each database (SQLite, PostgreSQL or both) this:

1. makes a fresh data directory (and, for PostgreSQL, a fresh database ``estatewalk_bench_<random>``),
2. loads the demo data with ``estatewalk demo`` and starts ``estatewalk serve --demo`` as a separate process on a
   free loopback port, waiting for ``GET /api/health``,
3. signs in as ``staff@demo.test`` and pushes ``--issues`` ``issue.create`` mutations in batches of ``--batch``,
   then as many ``issue.update`` mutations (new title and priority for every issue), then ``--comments``
   ``issue.comment`` mutations, timing every batch,
4. has a fresh client (a new installation, signed in again) pull everything with ``limit`` 500 and again with
   1000, timing every page,
5. checks its own result: every push result ``applied``, the pulled state holds exactly the created issues with
   their updated titles and priorities, every comment, and the server log holds no traceback,

then prints a table of figures. Only loopback traffic; every loop is bounded.

    .venv/bin/python -m bench.sync_throughput [--issues 10000] [--database sqlite|postgresql|both] [--batch 200]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gzip
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.server_process import ServerProcess
from bench.replica import apply_changes
from sync.hlc import HybridClock
from sync.mutations import MAX_BATCH

REPO = Path(__file__).resolve().parent.parent
ESTATEWALK = Path(sys.executable).parent / "estatewalk"
POSTGRES_ADMIN_DSN = os.environ.get("ESTATEWALK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")

PRIORITIES_BEFORE = ("low", "normal")
PRIORITIES_AFTER = ("high", "urgent")
CATEGORIES = ("lighting", "bin_store", "graffiti", "communal_repairs", "grounds", "lifts")

#: Bounds on every wait and loop, so a broken server ends the run instead of hanging it.
HEALTH_WAIT_S = 60
REQUEST_TIMEOUT_S = 300
MAX_PULL_PAGES = 100_000


class BenchFailure(Exception):
    """The server answered something a correct server would not: the benchmark's figures are void."""


# --- figures -----------------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


@dataclass
class Phase:
    """One timed phase: many requests, each counted in items (mutations or changes)."""

    name: str
    items: int = 0
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    bytes_in: int = 0
    server_cpu: float = float("nan")
    """CPU seconds the server process (all its threads) used during the phase."""

    def add(self, items: int, seconds: float, bytes_in: int = 0) -> None:
        self.items += items
        self.requests += 1
        self.latencies.append(seconds)
        self.bytes_in += bytes_in

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else float("nan")

    def trend(self) -> str:
        """Mean latency of the first and the last tenth of the requests: does a request get slower as data grows?"""
        if len(self.latencies) < 10:
            return ""
        tenth = len(self.latencies) // 10
        first, last = self.latencies[:tenth], self.latencies[-tenth:]
        return f"{sum(first) / len(first) * 1000:,.0f}→{sum(last) / len(last) * 1000:,.0f}"

    def row(self) -> dict[str, str]:
        return {
            "phase": self.name,
            "items": f"{self.items:,}",
            "requests": f"{self.requests:,}",
            "total s": f"{self.seconds:.1f}",
            "items/s": f"{self.rate:,.0f}",
            "p50 ms": f"{percentile(self.latencies, 50) * 1000:,.0f}",
            "p95 ms": f"{percentile(self.latencies, 95) * 1000:,.0f}",
            "max ms": f"{max(self.latencies) * 1000:,.0f}" if self.latencies else "",
            "first→last 10% ms": self.trend(),
            "server CPU": f"{self.server_cpu / self.seconds:.0%}" if self.seconds else "",
            "MB in": f"{self.bytes_in / 1e6:.2f}" if self.bytes_in else "",
        }


@dataclass
class RunResult:
    database: str
    phases: list[Phase]
    notes: list[str]
    checks: list[str]


def print_table(rows: list[dict[str, str]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(r.get(c, "")) for r in rows)) for c in columns}
    line = "| " + " | ".join(c.ljust(widths[c]) for c in columns) + " |"
    print(line)
    print("|" + "|".join(("-" * (widths[c] + 2)) if i == 0 else ("-" * (widths[c] + 1) + ":")
                         for i, c in enumerate(columns)) + "|")
    for r in rows:
        print("| " + " | ".join(
            r.get(c, "").ljust(widths[c]) if i == 0 else r.get(c, "").rjust(widths[c])
            for i, c in enumerate(columns)) + " |")


# --- the server under test ---------------------------------------------------------------------------------

async def _postgres_admin(sql: str) -> Any:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=10)
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


class Server:
    """``estatewalk serve --demo`` in its own process, on its own data directory (and database)."""

    def __init__(self, database: str, workdir: Path, keep: bool, profile: bool = False) -> None:
        self.database = database
        self.profile = profile
        self.profile_path = workdir / f"py-spy-{database}.txt"
        self._spy: subprocess.Popen[bytes] | None = None
        self.workdir = workdir
        self.keep = keep
        self.data_dir = workdir / "data"
        self.log_path = workdir / "server.log"
        self.pg_name: str | None = None
        self.server: ServerProcess | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self.server.process if self.server else None

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ESTATEWALK_DEMO")}
        env["ESTATEWALK_DATA"] = str(self.data_dir)
        if self.pg_name:
            env["DATABASE_URL"] = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0] + f"/{self.pg_name}"
        return env

    def start(self) -> float:
        """Load the demo data, start the server and wait until it is healthy. Returns seconds to load demo data."""
        if self.database == "postgresql":
            self.pg_name = f"estatewalk_bench_{uuid.uuid4().hex[:12]}"
            asyncio.run(_postgres_admin(f'CREATE DATABASE "{self.pg_name}"'))
        started = time.perf_counter()
        demo = subprocess.run([str(ESTATEWALK), "demo"], env=self.env, cwd=REPO, capture_output=True, text=True,
                              timeout=300)
        demo_seconds = time.perf_counter() - started
        if demo.returncode != 0:
            raise BenchFailure(f"estatewalk demo failed ({demo.returncode}):\n{demo.stdout}\n{demo.stderr}")
        self.server = ServerProcess(self.env, log_path=self.log_path)
        try:
            kind = self.server.start(timeout=HEALTH_WAIT_S)["database"]
        except RuntimeError as failure:
            raise BenchFailure(str(failure)) from None
        if kind != self.database:
            raise BenchFailure(f"the server runs on {kind}, not {self.database}")
        if self.profile:
            self._start_profiler()
        return demo_seconds

    def _start_profiler(self) -> None:
        """Sample the server with py-spy (``pip install py-spy``) into collapsed stacks, until ``stop``."""
        spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
        if spy is None:
            raise BenchFailure("--profile needs py-spy: .venv/bin/pip install py-spy")
        self._spy = subprocess.Popen(
            [spy, "record", "--pid", str(self.process.pid), "--rate", "200", "--format", "raw",  # type: ignore[union-attr]
             "--output", str(self.profile_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def cpu_seconds(self) -> float:
        """User + system CPU seconds of the server process so far (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()  # type: ignore[union-attr]
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return float("nan")

    def rss_mb(self) -> float | None:
        if self.process is None:
            return None
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def database_size_mb(self) -> float | None:
        if self.pg_name:
            size = asyncio.run(_postgres_admin(f"SELECT pg_database_size('{self.pg_name}')"))
            return size / 1e6
        files = [self.data_dir / f"estatewalk.sqlite3{suffix}" for suffix in ("", "-wal")]
        return sum(f.stat().st_size for f in files if f.exists()) / 1e6

    def stop(self) -> None:
        if self._spy is not None and self._spy.poll() is None:
            self._spy.send_signal(signal.SIGINT)
            try:
                self._spy.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._spy.kill()
                self._spy.wait(timeout=10)
        if self.server is not None:
            self.server.stop()
        if self.pg_name and not self.keep:
            asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)'))


# --- a phone ----------------------------------------------------------------------------------------------

class Phone:
    """One installation: its own client id, clock and mutation numbers, over a real HTTP connection."""

    def __init__(self, url: str, email: str, password: str = "demo") -> None:
        self.http = httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S)
        self.client_id = str(uuid.uuid4())
        self.clock = HybridClock(self.client_id)
        self.next_mutation = 1
        answer = self.http.post("/api/auth/login", json={"email": email, "password": password})
        if answer.status_code != 200:
            raise BenchFailure(f"sign-in as {email}: {answer.status_code} {answer.text}")
        body = answer.json()
        self.http.headers["Authorization"] = f"Bearer {body['token']}"
        self.estates = [m["estate_id"] for m in body["memberships"] if m["role"] == "staff"]

    def close(self) -> None:
        self.http.close()

    def mutation(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        number = self.next_mutation
        self.next_mutation += 1
        return {"id": number, "name": name, "args": args, "at": self.clock.now(int(time.time() * 1000))}

    def push(self, mutations: list[dict[str, Any]], phase: Phase) -> None:
        started = time.perf_counter()
        answer = self.http.post("/api/sync/push", json={"client_id": self.client_id, "mutations": mutations})
        elapsed = time.perf_counter() - started
        if answer.status_code != 200:
            raise BenchFailure(f"push of mutations {mutations[0]['id']}–{mutations[-1]['id']}: "
                               f"{answer.status_code} {answer.text[:2000]}")
        body = answer.json()
        bad = [r for r in body["results"] if r["status"] != "applied"]
        if bad or len(body["results"]) != len(mutations) or body["last_mutation_id"] != mutations[-1]["id"]:
            raise BenchFailure(f"push of mutations {mutations[0]['id']}–{mutations[-1]['id']} not all applied: "
                               f"last_mutation_id {body['last_mutation_id']}, first problems {bad[:3]}")
        phase.add(len(mutations), elapsed, len(answer.content))

    def pull_all(self, limit: int, phase: Phase) -> tuple[list[dict[str, Any]], int]:
        """Pull from scratch until nothing is waiting; returns the changes and last_mutation_id."""
        changes: list[dict[str, Any]] = []
        cursor: str | None = None
        for page in range(MAX_PULL_PAGES):
            started = time.perf_counter()
            answer = self.http.post("/api/sync/pull", json={"client_id": self.client_id, "cursor": cursor,
                                                            "limit": limit})
            elapsed = time.perf_counter() - started
            if answer.status_code != 200:
                raise BenchFailure(f"pull page {page} (limit {limit}): {answer.status_code} {answer.text[:2000]}")
            body = answer.json()
            if page == 0 and not body["reset"]:
                raise BenchFailure("the first pull of a fresh client did not say reset")
            if page > 0 and body["reset"]:
                raise BenchFailure(f"pull page {page} said reset in the middle of a pull")
            if len(body["changes"]) > limit:
                raise BenchFailure(f"pull page {page} returned {len(body['changes'])} changes for limit {limit}")
            phase.add(len(body["changes"]), elapsed, len(answer.content))
            changes.extend(body["changes"])
            cursor = body["cursor"]
            if not body["has_more"]:
                return changes, body["last_mutation_id"]
        raise BenchFailure(f"still has_more after {MAX_PULL_PAGES} pages")


def replica(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What a phone holds after applying pulled changes in order: entity → id → data."""
    return apply_changes({}, changes)


# --- the run -----------------------------------------------------------------------------------------------

def title_before(i: int) -> str:
    return f"Bench issue {i:05d}: landing light out"


def title_after(i: int) -> str:
    return f"Bench issue {i:05d}: landing light out on floor {i % 12} (checked)"


def batches(items: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def run_one(database: str, issues: int, batch: int, comments: int, pull_limits: list[int],
            keep: bool, profile: bool = False) -> RunResult:
    workdir = Path(tempfile.mkdtemp(prefix=f"estatewalk_bench_{database}_"))
    server = Server(database, workdir, keep, profile)
    notes: list[str] = []
    checks: list[str] = []
    phases: list[Phase] = []
    try:
        demo_seconds = server.start()
        print(f"[{database}] server pid {server.process.pid} on {server.url}, data in {workdir}"  # type: ignore[union-attr]
              f"{f', database {server.pg_name}' if server.pg_name else ''}; demo data loaded in {demo_seconds:.1f} s",
              flush=True)

        # What a fresh staff phone sees before the benchmark adds anything (the demo issues).
        baseline_phone = Phone(server.url, "staff@demo.test")
        baseline, _ = baseline_phone.pull_all(500, Phase("baseline"))
        baseline_phone.close()
        baseline_issues = len(replica(baseline).get("issue", {}))

        phone = Phone(server.url, "staff@demo.test")
        if not phone.estates:
            raise BenchFailure("staff@demo.test is staff on no estate")
        ids = [str(uuid.uuid4()) for _ in range(issues)]
        estate_of = [phone.estates[i % len(phone.estates)] for i in range(issues)]

        # 1. Create.
        create = Phase("push issue.create")
        cpu = server.cpu_seconds()
        started = time.perf_counter()
        for chunk in batches(list(range(issues)), batch):
            phone.push([phone.mutation("issue.create", {
                "id": ids[i], "estate_id": estate_of[i], "location_id": None,
                "category": CATEGORIES[i % len(CATEGORIES)], "title": title_before(i),
                "description": f"Found on the benchmark walk, item {i}. The light on the landing is out after dusk.",
                "priority": PRIORITIES_BEFORE[i % 2], "captured_at": "2026-11-20T10:15:00Z",
            }) for i in chunk], create)
        create.seconds = time.perf_counter() - started
        create.server_cpu = server.cpu_seconds() - cpu
        phases.append(create)
        print(f"[{database}] pushed {create.items:,} creates in {create.seconds:.1f} s", flush=True)

        # 2. Update every issue (title and priority).
        update = Phase("push issue.update")
        cpu = server.cpu_seconds()
        started = time.perf_counter()
        for chunk in batches(list(range(issues)), batch):
            phone.push([phone.mutation("issue.update", {
                "id": ids[i], "fields": {"title": title_after(i), "priority": PRIORITIES_AFTER[i % 2]},
            }) for i in chunk], update)
        update.seconds = time.perf_counter() - started
        update.server_cpu = server.cpu_seconds() - cpu
        phases.append(update)
        print(f"[{database}] pushed {update.items:,} updates in {update.seconds:.1f} s", flush=True)

        # 3. A few hundred comments, spread over the issues.
        comment_ids: dict[str, str] = {}
        comment = Phase("push issue.comment")
        if comments:
            step = max(1, issues // comments)
            targets = [ids[(k * step) % issues] for k in range(comments)]
            cpu = server.cpu_seconds()
            started = time.perf_counter()
            for chunk in batches(targets, batch):
                mutations = []
                for issue_id in chunk:
                    comment_id = str(uuid.uuid4())
                    comment_ids[comment_id] = issue_id
                    mutations.append(phone.mutation("issue.comment", {
                        "id": comment_id, "issue_id": issue_id,
                        "body": f"Bench comment on {issue_id}: reported to the caretaker."}))
                phone.push(mutations, comment)
            comment.seconds = time.perf_counter() - started
            comment.server_cpu = server.cpu_seconds() - cpu
            phases.append(comment)
            print(f"[{database}] pushed {comment.items:,} comments in {comment.seconds:.1f} s", flush=True)
        pushed_total = phone.next_mutation - 1
        phone.close()

        # 4. Fresh clients pull everything.
        expected_titles = {ids[i]: title_after(i) for i in range(issues)}
        expected_priorities = {ids[i]: PRIORITIES_AFTER[i % 2] for i in range(issues)}
        for limit in pull_limits:
            puller = Phone(server.url, "staff@demo.test")
            pull = Phase(f"pull fresh, limit {limit}")
            cpu = server.cpu_seconds()
            started = time.perf_counter()
            changes, last_mutation_id = puller.pull_all(limit, pull)
            pull.seconds = time.perf_counter() - started
            pull.server_cpu = server.cpu_seconds() - cpu
            puller.close()
            phases.append(pull)
            print(f"[{database}] pulled {pull.items:,} changes in {pull.requests} pages in {pull.seconds:.1f} s",
                  flush=True)

            if limit == pull_limits[0]:
                raw = json.dumps(changes).encode()
                notes.append(f"a fresh pull transfers {pull.bytes_in / 1e6:.1f} MB of uncompressed JSON "
                             f"({pull.bytes_in / max(1, pull.items):,.0f} bytes a change); the same changes "
                             f"gzip to {len(gzip.compress(raw, 6)) / 1e6:.1f} MB")

            # 5. Check the pulled state.
            state = replica(changes)
            pulled_issues = state.get("issue", {})
            bench_issues = {k: v for k, v in pulled_issues.items() if v["title"].startswith("Bench issue")}
            if len(pulled_issues) != baseline_issues + issues:
                raise BenchFailure(f"limit {limit}: pulled {len(pulled_issues)} issues, expected "
                                   f"{baseline_issues} demo + {issues}")
            if set(bench_issues) != set(expected_titles):
                raise BenchFailure(f"limit {limit}: {len(bench_issues)} benchmark issues pulled, "
                                   f"{len(set(expected_titles) - set(bench_issues))} missing")
            wrong_title = [k for k, v in bench_issues.items() if v["title"] != expected_titles[k]]
            wrong_priority = [k for k, v in bench_issues.items() if v["priority"] != expected_priorities[k]]
            if wrong_title or wrong_priority:
                raise BenchFailure(f"limit {limit}: {len(wrong_title)} issues with a stale title, "
                                   f"{len(wrong_priority)} with a stale priority (e.g. "
                                   f"{(wrong_title or wrong_priority)[0]})")
            events = state.get("issue_event", {})
            pulled_comments = {k: v for k, v in events.items() if v["kind"] == "comment" and k in comment_ids}
            if len(pulled_comments) != len(comment_ids) or any(
                    v["issue_id"] != comment_ids[k] for k, v in pulled_comments.items()):
                raise BenchFailure(f"limit {limit}: {len(pulled_comments)} of {len(comment_ids)} comments pulled")
            title_changes = sum(1 for v in events.values() if v["kind"] == "field_changed"
                                and v["issue_id"] in expected_titles and v["data"]["field"] == "title")
            if title_changes != issues:
                raise BenchFailure(f"limit {limit}: {title_changes} title field_changed events, expected {issues}")
            if last_mutation_id != 0:
                raise BenchFailure(f"limit {limit}: a fresh client got last_mutation_id {last_mutation_id}")
            checks.append(f"limit {limit}: {len(pulled_issues):,} issues ({baseline_issues} demo + {issues:,}), "
                          f"all {issues:,} with the updated title and priority; {len(pulled_comments)} comments; "
                          f"{title_changes:,} title changes in the timelines")

        # The pushing phone's own view: the server applied every one of its mutations.
        verifier = Phone(server.url, "staff@demo.test")
        verifier.client_id = phone.client_id
        answer = verifier.http.post("/api/sync/pull", json={"client_id": phone.client_id, "cursor": None,
                                                            "limit": 1})
        verifier.close()
        if answer.status_code != 200 or answer.json()["last_mutation_id"] != pushed_total:
            raise BenchFailure(f"the pushing client's last_mutation_id is not {pushed_total}: "
                               f"{answer.status_code} {answer.text[:500]}")
        checks.append(f"pushing client: last_mutation_id {pushed_total:,} = every mutation applied")

        log = server.log_text()
        if "Traceback" in log or " 500 " in log:
            raise BenchFailure(f"the server logged an error:\n{server.log_tail()}")
        checks.append("server log: no traceback, no 500")

        size = server.database_size_mb()
        rss = server.rss_mb()
        notes.append(f"demo data load {demo_seconds:.1f} s; database size after the run "
                     f"{size:,.0f} MB" + (f"; server peak RSS {rss:,.0f} MB" if rss else ""))
        return RunResult(database, phases, notes, checks)
    finally:
        log = server.log_text()
        server.stop()
        if profile:
            print(f"[{database}] py-spy profile of the server (collapsed stacks): {server.profile_path}")
        if keep or profile:
            print(f"[{database}] kept {workdir}" + (f" and database {server.pg_name}" if server.pg_name and keep else ""))
        elif "Traceback" in log:
            print(f"[{database}] server log kept at {server.log_path} (it holds a traceback)", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def machine() -> list[str]:
    lines = []
    try:
        model = next((l.split(":", 1)[1].strip() for l in
                      subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout.splitlines()
                      if l.startswith("Model name")), platform.processor())
    except (OSError, subprocess.SubprocessError):
        model = platform.processor()
    mem_kb = next((int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines()
                   if l.startswith("MemTotal:")), 0)
    lines.append(f"CPU: {model}, {os.cpu_count()} cores; RAM {mem_kb / 1024 / 1024:.0f} GiB")
    lines.append(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    try:
        lines.append(asyncio.run(_postgres_admin("SELECT version()")).split(" on ")[0])
    except Exception:  # noqa: BLE001 - PostgreSQL is optional for a SQLite-only run
        pass
    lines.append(f"date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}; load average "
                 + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync_throughput", description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=10_000, help="issues to create and then update (10000)")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--batch", type=int, default=200, help=f"mutations per push (at most {MAX_BATCH}; 200)")
    parser.add_argument("--comments", type=int, default=300, help="comments to add (300)")
    parser.add_argument("--pull-limit", type=int, action="append", dest="pull_limits",
                        help="page size of the fresh pull; repeat for several (500 and 1000)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and database afterwards")
    parser.add_argument("--profile", action="store_true",
                        help="sample the server with py-spy into collapsed stacks in the kept data directory")
    args = parser.parse_args(argv)
    if not 1 <= args.batch <= MAX_BATCH:
        parser.error(f"--batch must be 1..{MAX_BATCH}")
    if args.issues < 1 or args.comments < 0:
        parser.error("--issues must be at least 1 and --comments not negative")
    pull_limits = args.pull_limits or [500, 1000]
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]

    print("\n".join(machine()))
    print(f"command: {' '.join(['python -m bench.sync_throughput', *(argv if argv is not None else sys.argv[1:])])}")
    print(f"{args.issues:,} issues, batch {args.batch}, {args.comments} comments, pull limits {pull_limits}\n",
          flush=True)

    results: list[RunResult] = []
    failed = False
    for database in databases:
        try:
            results.append(run_one(database, args.issues, args.batch, args.comments, pull_limits, args.keep, args.profile))
        except BenchFailure as failure:
            failed = True
            print(f"\n[{database}] BENCHMARK FAILED: {failure}\n", file=sys.stderr, flush=True)

    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for result in results:
        print(f"\n## {result.database}\n")
        print_table([p.row() for p in result.phases])
        print()
        for note in result.notes:
            print(f"- {note}")
        for check in result.checks:
            print(f"- checked: {check}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
