"""Schemathesis over the live OpenAPI schema with realistic ids: no input may cause a 500.

Starts a demo server (``estatewalk serve --demo``, a process of its own) on SQLite or PostgreSQL, pulls it as
staff, TRA reps and a contractor to learn the ids of existing rows (estates, locations, people, issues,
comments, photos and their hashes, inspections, grades, meetings) and a registered client id, then runs the
``st`` command with ``bench/fuzz_hooks.py`` putting those ids into most requests and whole mutations of every
kind into most pushes. Signed in as staff with a Bearer token. Answers ``not_a_server_error`` for every case,
and also counts tracebacks in the server's log (a 500 the client never saw, say behind a 503).

    python -m bench.fuzz_api --database sqlite --cases 5000
    python -m bench.fuzz_api --database postgresql --cases 5000

``tests/accounts/test_fuzzing_the_api.py`` runs the same thing small (a few hundred cases) in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.fuzz_hooks import ids_from_changes
from bench.simulate import server_for, small_jpeg

ADMIN_DSN = os.environ.get("ESTATEWALK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
ROOT = Path(__file__).resolve().parents[1]
PEOPLE = ["staff@demo.test", "rep@demo.test", "rep2@demo.test", "contractor@demo.test"]
#: These end the fuzzer's own session (signing out, revoking its session, erasing the person it acts as) and
#: fuzz nothing after; the access matrix and their own tests drive them.
EXCLUDED = ["/api/auth/logout", "/api/auth/sessions/{session_id}", "/api/people/{user_id}/erase"]


def seed_ids(url: str) -> tuple[str, dict[str, list[str]]]:
    """Sign in as each demo person, pull everything they may see; answer staff's token and the id pool."""
    pool: dict[str, Any] = {"ids": [], "hashes": [], "clients": [], "by_kind": {}}
    token = ""
    with httpx.Client(base_url=url, timeout=60) as http:
        for email in PEOPLE:
            login = http.post("/api/auth/login", json={"email": email, "password": "demo"}).json()
            headers = {"Authorization": f"Bearer {login['token']}"}
            token = token or login["token"]
            client_id = str(uuid.uuid4())
            # A registered client id of this person: pushing with it as someone else must be a clean 409.
            http.post("/api/sync/push", headers=headers, json={"client_id": client_id, "mutations": [
                {"id": 1, "name": "mail.preference", "at": f"{int(time.time() * 1000):015d}:00000:fuzz",
                 "args": {"mode": "immediate"}}]})
            pool["clients"].append(client_id)
            changes: list[dict[str, Any]] = []
            cursor = None
            while True:
                body = http.post("/api/sync/pull", headers=headers,
                                 json={"client_id": client_id, "cursor": cursor, "limit": 1000}).json()
                changes.extend(body["changes"])
                cursor = body["cursor"]
                if not body["has_more"]:
                    break
            found = ids_from_changes(changes)
            pool["ids"] = sorted(set(pool["ids"]) | set(found["ids"]) | {login["user"]["id"]})
            pool["hashes"] = sorted(set(pool["hashes"]) | set(found["hashes"]))
            for kind, ids in found["by_kind"].items():
                pool["by_kind"][kind] = sorted(set(pool["by_kind"].get(kind, [])) | set(ids))
            pool["by_kind"]["user"] = sorted(set(pool["by_kind"].get("user", [])) | {login["user"]["id"]})
            if email == "rep@demo.test":
                pool["hashes"].append(attach_a_photo(http, headers, client_id, found["by_kind"].get("issue", [])))
    return token, pool


def attach_a_photo(http: httpx.Client, headers: dict[str, str], client_id: str, issues: list[str]) -> str:
    """The demo has no photo bytes: upload one and attach it, so photo hashes in the run are real."""
    data = small_jpeg(random.Random(7))
    sha = hashlib.sha256(data).hexdigest()
    http.put(f"/api/photos/{sha}", headers={**headers, "Content-Type": "image/jpeg"}, content=data)
    http.post("/api/sync/push", headers=headers, json={"client_id": client_id, "mutations": [
        {"id": 2, "name": "photo.attach", "at": f"{int(time.time() * 1000):015d}:00001:fuzz",
         "args": {"id": str(uuid.uuid4()), "issue_id": issues[0], "sha256": sha}}]})
    return sha


def run_schemathesis(url: str, token: str, ids_file: Path, cases: int, report_dir: Path, seed: int,
                     max_time: float | None = None, workers: int = 2) -> dict[str, Any]:
    operations = len(httpx.get(f"{url}/schema/openapi.json").json()["paths"])
    # Schemathesis counts examples per operation and phase; the fuzzing phase carries most of them.
    per_operation = max(1, math.ceil(cases / max(1, operations - len(EXCLUDED))))
    st = str(Path(sys.executable).parent / "st")
    command = [st, "run", f"{url}/schema/openapi.json", "--header", f"Authorization: Bearer {token}",
               "--checks", "not_a_server_error", "--phases", "examples,coverage,fuzzing",
               "--max-examples", str(per_operation), "--seed", str(seed), "--request-timeout", "30",
               "--workers", str(workers), "--report-dir", str(report_dir), "--no-color"]
    for path in EXCLUDED:
        command += ["--exclude-path", path]
    if max_time:
        command += ["--max-time", str(int(max_time))]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "bench.fuzz_hooks", "ESTATEWALK_FUZZ_IDS": str(ids_file),
           "ESTATEWALK_FUZZ_SEED": str(seed), "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    generated = re.search(r"(\d+) generated", done.stdout)
    return {"returncode": done.returncode, "cases": int(generated.group(1)) if generated else 0,
            "seconds": time.monotonic() - started, "output": done.stdout[-8000:] + done.stderr[-2000:]}


async def run(database: str, cases: int, seed: int, max_time: float | None = None,
              workers: int = 2) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="estatewalk-fuzz-"))
    env = {**os.environ, "ESTATEWALK_DATA": str(data_dir)}
    env.pop("DATABASE_URL", None)
    database_name = None
    if database == "postgresql":
        import asyncpg

        database_name = f"estatewalk_fuzz_{uuid.uuid4().hex[:10]}"
        admin = await asyncpg.connect(ADMIN_DSN)
        await admin.execute(f'CREATE DATABASE "{database_name}"')
        await admin.close()
        env["DATABASE_URL"] = ADMIN_DSN.rsplit("/", 1)[0] + f"/{database_name}"
    server = server_for(env, 1)
    try:
        server.launch()
        await server.ready()
        token, pool = await asyncio.to_thread(seed_ids, server.url)
        ids_file = data_dir / "fuzz-ids.json"
        ids_file.write_text(json.dumps(pool))
        result = await asyncio.to_thread(run_schemathesis, server.url, token, ids_file, cases, data_dir / "report",
                                         seed, max_time, workers)
        log = server.log_path.read_text(errors="replace")
        result.update(database=database, ids=len(pool["ids"]), hashes=len(pool["hashes"]),
                      server_errors_logged=log.count("unexpected error on"), log_tail=log[-3000:])
        return result
    finally:
        server.stop()
        if database_name:
            import asyncpg

            admin = await asyncpg.connect(ADMIN_DSN)
            await admin.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
            await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--cases", type=int, default=5000, help="about how many cases in all")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--max-time", type=float, default=None, help="stop generating after this many seconds")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.database, args.cases, args.seed, args.max_time))
    print(result["output"])
    if result["server_errors_logged"]:
        print(result["log_tail"])
    print(f"| {result['database']} | {result['cases']} cases | {result['seconds']:.0f} s | ids {result['ids']}, "
          f"hashes {result['hashes']} | schemathesis exit {result['returncode']} | "
          f"500s logged {result['server_errors_logged']} |")
    return 0 if result["returncode"] == 0 and not result["server_errors_logged"] else 1


if __name__ == "__main__":
    sys.exit(main())
