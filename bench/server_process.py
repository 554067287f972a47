"""``estatewalk serve`` as a process of its own: launched, waited for, killed as a machine dies, stopped.

The benchmarks, the device simulator and the tests that need a real server process (several workers, several
hosts, backups and restores, kills) all start it through this one class, so "is it up yet" and "kill it with its
workers" mean the same everywhere. The process gets a session of its own, so a kill takes its uvicorn workers and
photo workers with it, as when the machine dies.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ServerDidNotStart(RuntimeError):
    pass


class ServerProcess:
    """One ``estatewalk serve --demo`` process on ``host:port``, its output appended to ``log_path``.

    ``netns`` runs it inside a network namespace (``ip netns exec`` execs the command, so the pid is the
    server's). ``url`` and ``port`` stay the same across restarts, as a host's address does.
    """

    def __init__(self, env: dict[str, str], *, log_path: Path, host: str = "127.0.0.1", port: int | None = None,
                 workers: int = 1, netns: str | None = None, log_level: str = "warning", cwd: Path = REPO) -> None:
        self.env, self.host, self.workers, self.netns, self.log_level = env, host, workers, netns, log_level
        # ``python -m`` puts the working directory first on the path: it decides whose ``server`` package runs.
        self.cwd = cwd
        self.port = port or free_port()
        self.log_path = log_path
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def up(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def launch(self) -> None:
        """Start the process without waiting for it to answer."""
        command = [sys.executable, "-m", "server.cli", "serve", "--demo", "--host", self.host, "--port",
                   str(self.port), "--workers", str(self.workers), "--log-level", self.log_level]
        if self.netns:
            command = ["ip", "netns", "exec", self.netns, *command]
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(command, env=self.env, stdout=out, stderr=out, cwd=self.cwd,
                                            start_new_session=True)

    def start(self, timeout: float = 60) -> dict[str, Any]:
        """Launch and wait until healthy; returns the health answer."""
        self.launch()
        return self.wait_ready(timeout)

    def _probe(self, answer: httpx.Response | None) -> dict[str, Any] | None:
        if answer is not None and answer.status_code == 200:
            return answer.json()
        if self.process is not None and self.process.poll() is not None:
            raise ServerDidNotStart(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
        return None

    def wait_ready(self, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                answer: httpx.Response | None = httpx.get(f"{self.url}/api/health", timeout=2)
            except httpx.TransportError:
                answer = None
            if (health := self._probe(answer)) is not None:
                return health
            time.sleep(0.1)
        raise ServerDidNotStart(f"no healthy server at {self.url} after {timeout} s:\n{self.log_tail()}")

    async def ready(self, timeout: float = 60) -> dict[str, Any]:
        """``wait_ready`` for callers inside an event loop that must keep running meanwhile."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as http:
            while time.monotonic() < deadline:
                try:
                    answer: httpx.Response | None = await http.get(f"{self.url}/api/health")
                except httpx.TransportError:
                    answer = None
                if (health := self._probe(answer)) is not None:
                    return health
                await asyncio.sleep(0.1)
        raise ServerDidNotStart(f"no healthy server at {self.url} after {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the process group: no goodbye to anyone."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, characters: int = 3000) -> str:
        return self.log_text()[-characters:]

    def tracebacks(self) -> int:
        return self.log_text().count("Traceback")
