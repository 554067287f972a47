"""What a savepoint per mutation costs a push, on SQLite and PostgreSQL (docs/benchmarks.md).

Every mutation of a push runs inside a savepoint (``sync.engine.apply_push``), so that one failing mutation is
rejected alone instead of failing, on every retry, the whole push. This applies the same pushes through the real
engine and database store twice per database, one push of each in turn: as shipped, and with the savepoint
replaced by nothing. In-process
(no HTTP), so the difference is the savepoints' alone. Under a minute.

    .venv/bin/python -m bench.savepoint_cost [--mutations 2000] [--batch 200] [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec

POSTGRES_ADMIN_DSN = os.environ.get("ESTATEWALK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _pushes(estate_id: uuid.UUID, count: int, batch: int, client_id: uuid.UUID) -> list[list]:
    from sync.hlc import HybridClock
    from sync.mutations import AnyMutation

    clock = HybridClock(str(client_id))
    now_ms = int(time.time() * 1000) - 60_000
    mutations = []
    for n in range(1, count + 1):
        issue_id = str(uuid.uuid4())
        if n % 2:
            raw = {"name": "issue.create", "args": {
                "id": issue_id, "estate_id": str(estate_id), "category": "lighting", "title": f"Light {n}",
                "priority": "normal", "captured_at": "2026-11-20T10:00:00Z"}}
        else:
            raw = {"name": "issue.comment", "args": {"id": issue_id, "issue_id": mutations[-1].args.id,
                                                     "body": f"comment {n}"}}
        raw.update(id=n, at=clock.now(now_ms + n))
        mutations.append(msgspec.json.decode(msgspec.json.encode(raw), type=AnyMutation))
    return [mutations[i:i + batch] for i in range(0, len(mutations), batch)]


async def _run(database_url: str | None, data_dir: Path, count: int, batch: int) -> dict[str, float]:
    from server import demo
    from server.auth.sessions import roles_of
    from server.db import tables as t
    from server.db.engine import close_pool, current_engine, migrate, open_pool, use_database, write_transaction
    from server.settings import Settings
    from server.sync_api.changes import ChangeRecorder
    from server.sync_api.push_locks import lock_for_push
    from server.sync_api.store import DatabaseStore
    from sync.engine import apply_push
    from sync.records import Actor

    class WithoutSavepoints(DatabaseStore):
        @contextlib.asynccontextmanager
        async def savepoint(self) -> AsyncIterator[None]:
            yield

    engine = use_database(Settings(data_dir=data_dir, database_url=database_url, demo=True))
    await open_pool(engine)
    figures: dict[str, float] = {}
    try:
        await migrate()
        await demo.load_demo_data()
        staff = await t.AppUser.select(t.AppUser.id).where(t.AppUser.email == "staff@demo.test").first()
        actor = Actor(user_id=staff["id"], roles=await roles_of(staff["id"]))
        estate = next(iter(actor.roles))
        # Interleaved, one push of each in turn, so that a busy machine slows both alike.
        kinds = {"with savepoints": DatabaseStore, "without": WithoutSavepoints}
        clients = {label: uuid.uuid4() for label in kinds}
        pushes = {label: _pushes(estate, count, batch, clients[label]) for label in kinds}
        spent = {label: 0.0 for label in kinds}
        for index in range(len(pushes["without"])):
            for label, store_type in kinds.items():
                started = time.perf_counter()
                async with write_transaction(current_engine()):
                    changes = ChangeRecorder()
                    store = store_type(changes)
                    await lock_for_push(actor.user_id, clients[label], pushes[label][index])
                    outcome = await apply_push(store, actor, clients[label], pushes[label][index],
                                               dt.datetime.now(dt.timezone.utc))
                    await changes.flush()
                spent[label] += time.perf_counter() - started
                assert all(r.status == "applied" for r in outcome.results), outcome
        figures = {label: count / spent[label] for label in kinds}
    finally:
        await close_pool(engine)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    options = parser.parse_args()
    databases = ["sqlite", "postgresql"] if options.database == "both" else [options.database]
    print(f"{options.mutations} mutations (issue.create and issue.comment alternating), pushes of {options.batch}")
    print("| database | with savepoints | without | cost |")
    print("|---|---|---|---|")
    for database in databases:
        with tempfile.TemporaryDirectory(prefix="estatewalk-savepoints-") as tmp:
            url = None
            name = f"estatewalk_bench_{uuid.uuid4().hex[:10]}"
            if database == "postgresql":
                asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
                url = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
            try:
                figures = asyncio.run(_run(url, Path(tmp), options.mutations, options.batch))
            finally:
                if url:
                    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        cost = 100 * (1 - figures["with savepoints"] / figures["without"])
        print(f"| {database} | {figures['with savepoints']:.0f} mutations/s | {figures['without']:.0f} mutations/s | "
              f"{cost:+.0f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
