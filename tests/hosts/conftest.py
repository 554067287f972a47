"""Real app hosts for the several-hosts journeys: ``estatewalk serve`` processes sharing one PostgreSQL.

Each host runs in a network namespace of its own, made here with ``ip netns`` and a veth pair (its own address,
10.213.N.x, reachable from this namespace only), and reaches PostgreSQL through its Unix socket, which a network
namespace does not hide. Where namespaces cannot be made (not root, no ``ip``, no socket), the hosts are two
processes on two loopback addresses (127.0.0.2, 127.0.0.3) instead, and the journeys are the same.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bench.server_process import ServerProcess, free_port

POSTGRES_SOCKET_DIR = Path("/var/run/postgresql")
REPO = Path(__file__).resolve().parents[2]


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), capture_output=True, text=True, timeout=30)


class AppHost(ServerProcess):
    """One app host: an ``estatewalk serve`` process with its own address and data directory, started, killed
    (SIGKILL, as a machine dies) and started again."""

    def __init__(self, name: str, address: str, port: int, data_dir: Path, env: dict[str, str],
                 netns: str | None = None) -> None:
        self.name, self.data_dir = name, data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(env, log_path=data_dir / "server.log", host=address, port=port, netns=netns)


def _namespaces_possible() -> str | None:
    """None when network namespaces can be made here, else why not."""
    if os.geteuid() != 0:
        return "not root (no CAP_NET_ADMIN)"
    if shutil.which("ip") is None:
        return "no ip command (iproute2)"
    if not (POSTGRES_SOCKET_DIR / ".s.PGSQL.5432").exists():
        return f"no PostgreSQL socket in {POSTGRES_SOCKET_DIR}"
    probe = f"ewprobe{uuid.uuid4().hex[:6]}"
    made = _run("ip", "netns", "add", probe)
    if made.returncode != 0:
        return f"ip netns add failed: {made.stderr.strip()}"
    _run("ip", "netns", "del", probe)
    return None


class Network:
    """Makes the hosts' network: two namespaces with a veth pair each, or, failing that, loopback addresses."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.why_not_namespaces = _namespaces_possible()
        self.namespaces: list[str] = []
        self.tag = uuid.uuid4().hex[:6]
        self.subnet = random.randint(1, 250)

    @property
    def isolated(self) -> bool:
        return self.why_not_namespaces is None

    def host_address(self, index: int) -> tuple[str, str | None]:
        """Address and namespace of host ``index`` (1, 2, …)."""
        if not self.isolated:
            return f"127.0.0.{index + 1}", None
        netns, outside, inside = f"ew{self.tag}h{index}", f"ew{self.tag}a{index}", f"ew{self.tag}b{index}"
        here, there = f"10.213.{self.subnet}.{4 * index + 1}", f"10.213.{self.subnet}.{4 * index + 2}"
        for command in (
            ["ip", "netns", "add", netns],
            ["ip", "link", "add", outside, "type", "veth", "peer", "name", inside],
            ["ip", "link", "set", inside, "netns", netns],
            ["ip", "addr", "add", f"{here}/30", "dev", outside],
            ["ip", "link", "set", outside, "up"],
            ["ip", "netns", "exec", netns, "ip", "addr", "add", f"{there}/30", "dev", inside],
            ["ip", "netns", "exec", netns, "ip", "link", "set", inside, "up"],
            ["ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up"],
        ):
            done = _run(*command)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()}")
            if command[:3] == ["ip", "netns", "add"]:
                self.namespaces.append(netns)
        return there, netns

    def database_url_for_hosts(self, database_url: str) -> str:
        """Inside a namespace 127.0.0.1 is the namespace's own: PostgreSQL is reached by its Unix socket."""
        if not self.isolated:
            return database_url
        name = urlparse(database_url).path.lstrip("/")
        return f"postgresql://postgres@/{name}?host={POSTGRES_SOCKET_DIR}"

    def tear_down(self) -> None:
        for netns in self.namespaces:
            _run("ip", "netns", "del", netns)  # takes the veth pair with it


@dataclass
class TwoHosts:
    hosts: list[AppHost]
    network: Network
    database_url: str


@pytest.fixture
def two_hosts(postgres_url: str, tmp_path: Path) -> Iterator[TwoHosts]:
    """Two app hosts on one fresh PostgreSQL database (photos in the database), not yet started."""
    network = Network(tmp_path)
    hosts: list[AppHost] = []
    try:
        for index in (1, 2):
            address, netns = network.host_address(index)
            env = {**os.environ, "DATABASE_URL": network.database_url_for_hosts(postgres_url),
                   "ESTATEWALK_DATA": str(tmp_path / f"host{index}"), "ESTATEWALK_PHOTO_STORE": "database",
                   "PYTHONPATH": str(REPO)}
            hosts.append(AppHost(f"host {index}", address, 8000 if netns else free_port(), tmp_path / f"host{index}",
                                 env, netns))
        yield TwoHosts(hosts, network, postgres_url)
    finally:
        for host in hosts:
            host.stop()
        network.tear_down()
