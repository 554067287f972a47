"""The database photo store against the file store: uploads, and fetches of display variants, over real HTTP.

For each store, one ``estatewalk serve`` process on a fresh PostgreSQL database (the deployment the database store
is for; the file store keeps its photos under the data directory), and a staff member's phone on loopback:

- *upload*: ``--photos`` distinct phone photos (about 1 MB each) sent with PUT, ``--concurrency`` at a time, each
  after its photo record; photos per second and MB per second (processing the image into its variants, the
  same work for both stores, is part of every upload);
- *store writes*: the same originals written straight through the store interface (no HTTP, no processing), to
  show the store's own share;
- *display fetches*: ``--fetches`` GETs of display variants (about 250-400 kB) spread over the photos,
  ``--concurrency`` at a time, no caching: fetches per second, MB per second, p50 and p99 latency;
- *original fetches*: every original once, MB per second.

Prints a JSON document, and a Markdown table for docs/benchmarks.md. About a minute on 2 cores.

    .venv/bin/python -m bench.photo_store [--photos 16] [--fetches 400] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.server_process import ServerProcess

ADMIN_DSN = os.environ.get("ESTATEWALK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def photo(seed: int) -> bytes:
    """A 2000 × 1500 JPEG with grain, about 1 MB, as a phone sends after its own downscaling."""
    from PIL import Image

    size = (2000, 1500)
    scene = Image.effect_mandelbrot(size, (-2.0 + seed * 0.013, -1.2, 0.8, 1.2), 60).convert("RGB")
    grain = Image.merge("RGB", [Image.effect_noise(size, 40) for _ in range(3)])
    out = io.BytesIO()
    Image.blend(scene, grain, 0.35).save(out, "JPEG", quality=88)
    return out.getvalue()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_DSN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def store_writes(database_url: str, store: str, data_dir: Path, photos: list[bytes]) -> dict:
    """The same originals through the store interface alone (keys under a made-up variant-free prefix)."""
    from server.db.engine import close_pool, migrate, open_pool, use_database
    from server.photos.service import storage_for
    from server.photos.storage import photo_key
    from server.settings import Settings

    settings = Settings(data_dir=data_dir, database_url=database_url, photo_store=store)
    engine = use_database(settings)
    await open_pool(engine)
    try:
        await migrate()
        storage = storage_for(settings)
        keys = [photo_key("original", hashlib.sha256(b"bench" + data).hexdigest()) for data in photos]
        started = time.perf_counter()
        for key, data in zip(keys, photos):
            await storage.put(key, data)
        put_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for key in keys:
            await storage.get(key)
        get_seconds = time.perf_counter() - started
        for key in keys:
            await storage.delete(key)
    finally:
        await close_pool(engine)
    megabytes = sum(map(len, photos)) / 1e6
    return {"write_mb_per_s": round(megabytes / put_seconds, 1), "read_mb_per_s": round(megabytes / get_seconds, 1)}


async def run_store(store: str, photos: list[bytes], fetches: int, concurrency: int) -> dict:
    name = f"estatewalk_bench_{uuid.uuid4().hex[:10]}"
    await admin(f'CREATE DATABASE "{name}"')
    database_url = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    data_dir = Path(tempfile.mkdtemp(prefix=f"estatewalk-photo-store-{store}-"))
    env = {**os.environ, "DATABASE_URL": database_url, "ESTATEWALK_DATA": str(data_dir),
           "ESTATEWALK_PHOTO_STORE": store}
    server = ServerProcess(env, log_path=data_dir / "server.log")
    server.launch()
    try:
        await server.ready()
        async with httpx.AsyncClient(base_url=server.url, timeout=60,
                                     limits=httpx.Limits(max_connections=concurrency * 2)) as http:
            login = (await http.post("/api/auth/login", json={"email": "staff@demo.test", "password": "demo"})).json()
            http.cookies.clear()
            headers = {"Authorization": f"Bearer {login['token']}"}
            estate_id = login["memberships"][0]["estate_id"]
            from sync.hlc import HybridClock

            client_id = str(uuid.uuid4())
            clock = HybridClock(client_id)
            mutations = []
            for n, data in enumerate(photos):
                issue_id = str(uuid.uuid4())
                stamp = clock.now(int(time.time() * 1000))
                mutations.append({"id": 2 * n + 1, "name": "issue.create", "at": stamp, "args": {
                    "id": issue_id, "estate_id": estate_id, "location_id": None, "category": "lighting",
                    "title": f"bench {n}", "description": "", "priority": "normal",
                    "captured_at": "2026-12-07T10:00:00Z"}})
                mutations.append({"id": 2 * n + 2, "name": "photo.attach", "at": clock.now(int(time.time() * 1000)),
                                  "args": {"id": str(uuid.uuid4()), "issue_id": issue_id,
                                           "sha256": hashlib.sha256(data).hexdigest(), "byte_size": len(data)}})
            pushed = await http.post("/api/sync/push", headers=headers,
                                     json={"client_id": client_id, "mutations": mutations})
            pushed.raise_for_status()

            gate = asyncio.Semaphore(concurrency)

            async def upload(data: bytes) -> None:
                async with gate:
                    answer = await http.put(f"/api/photos/{hashlib.sha256(data).hexdigest()}", content=data,
                                            headers=headers)
                    answer.raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*[upload(data) for data in photos])
            upload_seconds = time.perf_counter() - started

            shas = [hashlib.sha256(data).hexdigest() for data in photos]
            latencies: list[float] = []
            fetched_bytes = 0

            async def fetch(sha: str, variant: str) -> None:
                nonlocal fetched_bytes
                async with gate:
                    began = time.perf_counter()
                    answer = await http.get(f"/api/photos/{sha}", params={"variant": variant}, headers=headers)
                    answer.raise_for_status()
                    if variant == "display":
                        latencies.append(time.perf_counter() - began)
                    fetched_bytes += len(answer.content)

            for sha in shas[:concurrency]:  # warm-up: connections opened, code paths loaded
                await fetch(sha, "display")
            latencies.clear()
            fetched_bytes = 0
            started = time.perf_counter()
            await asyncio.gather(*[fetch(shas[n % len(shas)], "display") for n in range(fetches)])
            fetch_seconds = time.perf_counter() - started
            display_bytes = fetched_bytes
            fetched_bytes = 0
            started = time.perf_counter()
            await asyncio.gather(*[fetch(sha, "original") for sha in shas])
            original_seconds = time.perf_counter() - started
            original_bytes = fetched_bytes
    finally:
        server.stop()
    writes = await store_writes(database_url, store, data_dir, photos)
    await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    megabytes = sum(map(len, photos)) / 1e6
    return {
        "store": store,
        "upload_photos_per_s": round(len(photos) / upload_seconds, 2),
        "upload_mb_per_s": round(megabytes / upload_seconds, 1),
        "store_write_mb_per_s": writes["write_mb_per_s"],
        "store_read_mb_per_s": writes["read_mb_per_s"],
        "display_fetches_per_s": round(fetches / fetch_seconds, 1),
        "display_mb_per_s": round(display_bytes / 1e6 / fetch_seconds, 1),
        "display_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "display_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "original_mb_per_s": round(original_bytes / 1e6 / original_seconds, 1),
    }


async def main_async(args: argparse.Namespace) -> dict:
    photos = [photo(seed) for seed in range(args.photos)]
    results = []
    for store in ("files", "database"):
        results.append(await run_store(store, photos, args.fetches, args.concurrency))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    return {
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "photos": args.photos, "mean_photo_bytes": int(sum(map(len, photos)) / len(photos)),
        "fetches": args.fetches, "concurrency": args.concurrency, "results": results,
    }


def markdown(report: dict) -> str:
    rows = ["| store | uploads/s | upload MB/s | store writes MB/s | store reads MB/s | display fetches/s | "
            "display MB/s | display p50 ms | display p99 ms | originals MB/s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in report["results"]:
        rows.append(f"| {r['store']} | {r['upload_photos_per_s']} | {r['upload_mb_per_s']} | "
                    f"{r['store_write_mb_per_s']} | {r['store_read_mb_per_s']} | {r['display_fetches_per_s']} | "
                    f"{r['display_mb_per_s']} | {r['display_p50_ms']} | {r['display_p99_ms']} | "
                    f"{r['original_mb_per_s']} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.photo_store", description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=16)
    parser.add_argument("--fetches", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    report = asyncio.run(main_async(args))
    print(json.dumps(report, indent=2))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
