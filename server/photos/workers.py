"""Decoding untrusted images in worker processes, each with a memory ceiling.

An exception in Pillow is already a clean refusal (``processing.py``). This is for what an exception cannot
catch: a crash inside a native decoder, or an image that makes a decoder allocate without limit. Either would
take the whole server down if it happened in-process; in a worker it costs that worker only. Each worker's
address space is capped with ``RLIMIT_AS``, so a runaway allocation becomes a ``MemoryError`` (refused as
"too large to process") instead of the kernel's OOM killer choosing a victim.

Workers come from a *forkserver*: forking the server itself (a multi-threaded asyncio process) could copy a lock
held by another thread, and spawning a fresh interpreter per worker is slow. The forkserver preloads Pillow, so a
new worker starts in milliseconds. (As with any multiprocessing start method but fork, the program's main
module must guard its start-up with ``if __name__ == "__main__"``; uvicorn, the ``estatewalk`` command and
pytest all do.)
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")

#: A worker is replaced after this many photos, so slow leaks or fragmentation in native code cannot build up.
TASKS_PER_WORKER = 200

_pool: ProcessPoolExecutor | None = None
_pool_limit = 0
_pool_lock = threading.Lock()


class WorkerCrashed(RuntimeError):
    """A worker process died while running the task (twice: once might have been a neighbour's fault)."""


def _start_worker(limit_bytes: int, server_pid: int) -> None:
    if limit_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    threading.Thread(target=_exit_with_server, args=(server_pid,), daemon=True, name="server-watch").start()


def _exit_with_server(server_pid: int) -> None:
    # A server that ends without shutting the pool down (uvicorn re-raises SIGTERM after its graceful shutdown,
    # and SIGKILL leaves no chance at all) would leave its workers, and through them the forkserver, behind.
    # The server is not the workers' parent (the forkserver is), so parent-death signals cannot help: watch it.
    while True:
        time.sleep(1)
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass  # it exists, under another user: not ours to judge


def _get_pool(memory_limit_bytes: int) -> ProcessPoolExecutor:
    global _pool, _pool_limit
    with _pool_lock:
        if _pool is not None and _pool_limit != memory_limit_bytes:
            # Settings changed (tests run apps with different ones): the old workers keep their old ceiling.
            _pool.shutdown(wait=False)
            _pool = None
        if _pool is None:
            _pool_limit = memory_limit_bytes
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["server.photos.processing"])
            _pool = ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context,
                                        initializer=_start_worker, initargs=(memory_limit_bytes, os.getpid()),
                                        max_tasks_per_child=TASKS_PER_WORKER)
        return _pool


def _discard_pool(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


async def run_isolated(memory_limit_bytes: int, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``function`` in a worker process and return its result (or raise its exception).

    When a worker dies, every task then running in the pool fails with it, innocent ones included; so a task is
    tried once more in a fresh pool, and only a second death is blamed on it (``WorkerCrashed``).
    """
    for attempt in (1, 2):
        pool = _get_pool(memory_limit_bytes)
        try:
            return await asyncio.wrap_future(pool.submit(function, *args, **kwargs))
        except BrokenProcessPool:
            _discard_pool(pool)
            if attempt == 2:
                raise WorkerCrashed("the worker processing this image died") from None
    raise AssertionError("unreachable")


def shutdown() -> None:
    """Stop the workers (tests and benchmarks; a server's workers end with it)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
