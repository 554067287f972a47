"""Load: the sustained rate of pushed mutations and uploaded photos, with latency percentiles.

For each database and worker count, the real server runs as its own process group; 1, 10 and 100 phones (each
its own client id) push batches of mutations (issue creates, edits and comments) and upload a small photo every
few pushes, as fast as the server answers (or, with ``--pace``, one push every so many seconds per phone, which
measures latency at a given load rather than at saturation), for a fixed time. Every answer is checked (200 and
every mutation ``applied``), so a fast wrong server cannot score.

Who the phones are matters on PostgreSQL, where a push waits for any other push on the same estate, person or
phone (``server/sync_api/push_locks.py``). Before the timed part the bench creates ``--estates`` estates, each
with a block and one staff member, through the same ``EstateAdmin`` service that ``estatewalk user
--create-estate`` uses (one process per person would make the set-up take minutes), and signs each of them in
over HTTP. Phone *k* is the staff member of estate *k* mod ``--estates`` and raises issues there: with the
default 100 estates, 100 phones are 100 people on 100 estates, as in real use; ``--estates 1`` puts every phone
in one person's hands on one estate, the worst case, where every push waits for the one before.

    python -m bench.load                          # SQLite 1 worker; PostgreSQL 1 and 4 workers; 1/10/100 phones
    python -m bench.load --seconds 10 --phones 1 10 --setups sqlite:1
    python -m bench.load --estates 1              # every phone one person on one estate
    python -m bench.load --pace 60 --seconds 120  # each phone pushes once a minute

Prints one table row per run; the figures of record are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import http.cookiejar as http_cookiejar
import os
import random
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.simulate import server_for, small_jpeg
from sync.hlc import HybridClock

ADMIN_DSN = os.environ.get("ESTATEWALK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
#: The password of every bench person (set as a hash: the policy for real passwords is not under test here).
PASSWORD = "load bench password"


@dataclass(frozen=True)
class Person:
    """One staff member of one estate, and the block they raise issues in."""

    email: str
    estate_id: str
    location_id: str


@dataclass
class Tally:
    push_ms: list[float] = field(default_factory=list)
    photo_ms: list[float] = field(default_factory=list)
    mutations: int = 0
    photos: int = 0
    failures: list[str] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def set_up_people(env: dict[str, str], estates: int) -> list[Person]:
    """Create ``estates`` estates, each with a block and a staff member, in the database ``env`` names."""
    from server.auth.passwords import hash_password
    from server.db.engine import close_pool, migrate, open_pool, use_database
    from server.estates import EstateAdmin
    from server.settings import settings_from_env

    engine = use_database(settings_from_env(env))
    await open_pool(engine)
    people = []
    try:
        await migrate()
        # One Argon2 hash for everyone, as the demo accounts share one: hashing is not what is measured.
        password_hash = hash_password(PASSWORD)
        async with EstateAdmin() as admin:
            for number in range(1, estates + 1):
                estate_id = await admin.create_estate(f"Load Estate {number}")
                location_id = await admin.add_location(estate_id, f"Block {number}", "block")
                email = f"staff{number}@load.test"
                user_id = await admin.create_user(email, f"Staff member {number}", password_hash=password_hash)
                await admin.add_member(user_id, estate_id, "staff")
                people.append(Person(email, str(estate_id), str(location_id)))
    finally:
        await close_pool(engine)
    return people


async def sign_in(http: httpx.AsyncClient, url: str, people: list[Person]) -> list[str]:
    """Each person's token, signed in over HTTP a few at a time (well under the limit of attempts per address:
    each attempt counts before the password is checked)."""
    gate = asyncio.Semaphore(4)

    async def one(person: Person) -> str:
        async with gate:
            answer = await http.post(f"{url}/api/auth/login", json={"email": person.email, "password": PASSWORD})
        answer.raise_for_status()
        return answer.json()["token"]

    return list(await asyncio.gather(*[one(person) for person in people]))


async def phone(http: httpx.AsyncClient, url: str, token: str, person: Person, until: float, tally: Tally,
                rng: random.Random, batch: int, pace: float = 0) -> None:
    """Push batches until ``until``: back to back, or with ``pace`` a push starting every ``pace`` seconds (the
    first at a random moment within one pace, so phones do not arrive together), never two at once."""
    client_id = str(uuid.uuid4())
    clock = HybridClock(client_id)
    headers = {"Authorization": f"Bearer {token}"}
    number, issues, pushes = 1, [], 0
    next_push = time.monotonic() + rng.random() * pace
    while True:
        if pace:
            await asyncio.sleep(max(0.0, next_push - time.monotonic()))
            next_push += pace
        if time.monotonic() >= until:
            break
        mutations = []
        for _ in range(batch):
            stamp = clock.now(int(time.time() * 1000))
            if not issues or rng.random() < 0.5:
                issue_id = str(uuid.uuid4())
                issues.append(issue_id)
                mutations.append({"id": number, "name": "issue.create", "at": stamp, "args": {
                    "id": issue_id, "estate_id": person.estate_id, "location_id": person.location_id,
                    "category": "lighting", "title": f"load {number}",
                    "priority": "normal", "captured_at": "2026-11-23T10:00:00Z"}})
            elif rng.random() < 0.6:
                mutations.append({"id": number, "name": "issue.update", "at": stamp, "args": {
                    "id": rng.choice(issues), "fields": {"title": f"edited {number}"}}})
            else:
                mutations.append({"id": number, "name": "issue.comment", "at": stamp, "args": {
                    "id": str(uuid.uuid4()), "issue_id": rng.choice(issues), "body": "still there"}})
            number += 1
        started = time.perf_counter()
        answer = await http.post(f"{url}/api/sync/push", headers=headers,
                                 json={"client_id": client_id, "mutations": mutations})
        tally.push_ms.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200 or {r["status"] for r in answer.json()["results"]} != {"applied"}:
            tally.failures.append(f"push {answer.status_code}: {answer.text[:200]}")
            return
        tally.mutations += len(mutations)
        pushes += 1
        if pushes % 3 == 0:
            data = small_jpeg(rng)
            sha = hashlib.sha256(data).hexdigest()
            started = time.perf_counter()
            stored = await http.put(f"{url}/api/photos/{sha}", headers=headers, content=data)
            tally.photo_ms.append((time.perf_counter() - started) * 1000)
            if stored.status_code not in (200, 201):
                tally.failures.append(f"photo {stored.status_code}: {stored.text[:200]}")
                return
            tally.photos += 1


async def run_setup(database: str, workers: int, phone_counts: list[int], seconds: float, batch: int,
                    estates: int, pace: float = 0) -> list[dict]:
    data_dir = Path(tempfile.mkdtemp(prefix="estatewalk-load-"))
    env = {**os.environ, "ESTATEWALK_DATA": str(data_dir)}
    env.pop("DATABASE_URL", None)
    database_name = None
    if database == "postgresql":
        import asyncpg

        database_name = f"estatewalk_load_{uuid.uuid4().hex[:10]}"
        admin = await asyncpg.connect(ADMIN_DSN)
        await admin.execute(f'CREATE DATABASE "{database_name}"')
        await admin.close()
        env["DATABASE_URL"] = ADMIN_DSN.rsplit("/", 1)[0] + f"/{database_name}"
    server = server_for(env, workers)
    rows = []
    try:
        people = await set_up_people(env, estates)
        server.launch()
        await server.ready()
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(timeout=120, limits=limits) as http:
            http.cookies.jar.set_policy(http_cookiejar.DefaultCookiePolicy(allowed_domains=[]))
            tokens = await sign_in(http, server.url, people)
            for count in phone_counts:
                tally = Tally()
                rng = random.Random(count)
                started = time.monotonic()
                until = started + seconds
                await asyncio.gather(*[phone(http, server.url, tokens[k % estates], people[k % estates], until,
                                             tally, random.Random(rng.random()), batch, pace) for k in range(count)])
                elapsed = time.monotonic() - started
                rows.append({
                    "database": database, "workers": workers, "phones": count, "estates": min(count, estates),
                    "seconds": elapsed, "pushes": len(tally.push_ms),
                    "mutations_per_s": tally.mutations / elapsed, "photos_per_s": tally.photos / elapsed,
                    "push_p50": percentile(tally.push_ms, 0.50), "push_p95": percentile(tally.push_ms, 0.95),
                    "push_p99": percentile(tally.push_ms, 0.99), "photo_p50": percentile(tally.photo_ms, 0.50),
                    "photo_p95": percentile(tally.photo_ms, 0.95), "photo_p99": percentile(tally.photo_ms, 0.99),
                    "failures": tally.failures[:3],
                    # The machine may be shared: the 1-minute load average as the run ends (this run included).
                    "load_average": os.getloadavg()[0],
                })
                print_row(rows[-1])
    finally:
        server.stop()
        if database_name:
            import asyncpg

            admin = await asyncpg.connect(ADMIN_DSN)
            await admin.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
            await admin.close()
    return rows


HEADER = ("| database | workers | phones | estates | mutations/s | push p50 / p95 / p99 ms | pushes | photos/s | "
          "photo p50 / p95 / p99 ms | load avg | failures |")


def print_row(row: dict) -> None:
    print(f"| {row['database']} | {row['workers']} | {row['phones']} | {row['estates']} | "
          f"{row['mutations_per_s']:,.0f} | {row['push_p50']:,.0f} / {row['push_p95']:,.0f} / {row['push_p99']:,.0f} | "
          f"{row['pushes']} | {row['photos_per_s']:,.1f} | "
          f"{row['photo_p50']:,.0f} / {row['photo_p95']:,.0f} / {row['photo_p99']:,.0f} | "
          f"{row['load_average']:.1f} | {len(row['failures']) or 'none'} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--setups", nargs="+", default=["sqlite:1", "postgresql:1", "postgresql:4"],
                        help="database:workers pairs")
    parser.add_argument("--phones", nargs="+", type=int, default=[1, 10, 100])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--batch", type=int, default=10, help="mutations per push")
    parser.add_argument("--estates", type=int, default=100,
                        help="estates, one staff member each; phone k is the person of estate k mod this "
                             "(1: every phone one person on one estate, the worst case)")
    parser.add_argument("--pace", type=float, default=0,
                        help="seconds from one push's start to the next per phone (default 0: back to back, "
                             "which measures saturation; a pace measures latency at a given load)")
    args = parser.parse_args(argv)
    if args.estates < 1:
        parser.error("--estates must be at least 1")
    print(HEADER)
    print("|" + "---|" * 11)
    failed = False
    for setup in args.setups:
        database, workers = setup.split(":")
        rows = asyncio.run(run_setup(database, int(workers), args.phones, args.seconds, args.batch, args.estates,
                                     args.pace))
        failed = failed or any(row["failures"] for row in rows)
        for row in rows:
            for failure in row["failures"]:
                print(f"  failure ({row['database']}, {row['phones']} phones): {failure}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
