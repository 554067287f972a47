"""Photo processing in worker processes: a dying or bloating decoder costs a worker, never the server."""

from __future__ import annotations

import os

import pytest

from server.photos import workers
from server.photos.processing import NotAcceptedImage, process_photo
from tests.photos.images import hostile_files, phone_photo

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
