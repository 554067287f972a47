"""Photo processing in worker processes: a dying or bloating decoder costs a worker, never the server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from server.photos import workers
from server.photos.processing import NotAcceptedImage, process_photo
from tests.photos.images import encode, hostile_files, phone_photo, picture

GIB = 1024 * 1024 * 1024


async def test_a_worker_that_dies_is_blamed_and_replaced() -> None:
    with pytest.raises(workers.WorkerCrashed):
        await workers.run_isolated(GIB, os._exit, 70)  # what a segfault in a decoder looks like from outside
    # The next photo gets a fresh worker.
    processed = await workers.run_isolated(GIB, process_photo, phone_photo(), max_pixels=40_000_000)
    assert processed.content_type == "image/jpeg"


def allocate(size: int) -> int:
    return len(bytearray(size))


async def test_a_worker_cannot_grow_past_its_memory_ceiling() -> None:
    ceiling = 512 * 1024 * 1024
    assert await workers.run_isolated(ceiling, allocate, ceiling // 4) == ceiling // 4
    with pytest.raises(MemoryError):
        await workers.run_isolated(ceiling, allocate, ceiling + 1)
    assert os.getpid() != await workers.run_isolated(ceiling, os.getpid)  # really another process


async def test_refusals_come_back_from_the_worker_as_refusals() -> None:
    for name, data in hostile_files().items():
        with pytest.raises(NotAcceptedImage):
            await workers.run_isolated(GIB, process_photo, data, max_pixels=40_000_000)


def test_workers_do_not_outlive_a_killed_server() -> None:
    # A stand-in server: starts the pool, reports its worker's pid, then waits to be killed with SIGKILL.
    program = (
        "import asyncio, os, sys, time\n"
        "from server.photos import workers\n"
        "print(asyncio.run(workers.run_isolated(2**30, os.getpid)), flush=True)\n"
        "time.sleep(60)\n"
    )
    server = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    try:
        worker_pid = int(server.stdout.readline())
        assert _alive(worker_pid)
    finally:
        server.kill()
        server.wait()
    deadline = time.monotonic() + 10
    while _alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker_pid), "the worker outlived its server"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; only its parent (the forkserver) has not collected it yet.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


async def test_every_accepted_format_is_processed_within_the_ceiling() -> None:
    # The ceiling is on address space, not memory in use: decoders that reserve more than they touch (thread
    # stacks, arenas) must still fit. A 24-megapixel photo in each format, through the real worker pool.
    big = picture((6000, 4000))
    for fmt, params in (("JPEG", {"quality": 90}), ("PNG", {"compress_level": 1}), ("WEBP", {"quality": 80})):
        processed = await workers.run_isolated(GIB, process_photo, encode(big, fmt, **params),
                                               max_pixels=40_000_000)
        assert (processed.width, processed.height) == (6000, 4000), fmt
