"""Shared fixtures: a database on each engine, the app, and named people to act as.

Every test that touches persistence runs twice: on SQLite and on PostgreSQL (a fresh database per test on the
server at 127.0.0.1:5432). Without PostgreSQL those runs skip with a reason, except under ``CI=true`` where a
missing PostgreSQL fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from bench.server_process import free_port
from bench.replica import apply_changes
from server.app import create_app
from server.settings import Settings
from sync.hlc import HybridClock

POSTGRES_ADMIN_DSN = os.environ.get("ESTATEWALK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser journeys run last.

    Playwright's synchronous API leaves an event loop running in the main thread for the rest of the session,
    which the asyncio tests cannot share; after them it no longer matters.
    """
    items.sort(key=lambda item: "tests/browser/" in item.nodeid.replace("\\", "/") or
               item.get_closest_marker("browser") is not None)


# --- databases ---------------------------------------------------------------------------------------------

async def _postgres_admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _postgres_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        asyncio.run(_postgres_admin("SELECT 1"))
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not here"
        return f"PostgreSQL is not reachable at {POSTGRES_ADMIN_DSN}: {error}"


_POSTGRES_PROBLEM: list[str | None] = []


def postgres_problem() -> str | None:
    if not _POSTGRES_PROBLEM:
        _POSTGRES_PROBLEM.append(_postgres_reachable())
    return _POSTGRES_PROBLEM[0]


def require_postgres() -> None:
    problem = postgres_problem()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL: {problem}")
        pytest.skip(problem)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    require_postgres()
    name = f"estatewalk_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh database of each kind, in demo mode, data under a temporary directory."""
    database_url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    return Settings(data_dir=tmp_path / "data", database_url=database_url, demo=True)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    """The real app (migrated, demo data loaded) behind an HTTP test client."""
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


# --- people ------------------------------------------------------------------------------------------------

def stamp_now(clock: HybridClock, offset_ms: int = 0) -> str:
    return clock.now(int(time.time() * 1000) + offset_ms)


@dataclass
class Person:
    """A demo person with their own phone: signs in, numbers mutations, pushes and pulls."""

    http: Any
    email: str
    token: str = ""
    user_id: str = ""
    memberships: list[dict[str, Any]] = field(default_factory=list)
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    next_mutation: int = 1
    cursor: str | None = None
    clock: HybridClock = field(init=False)

    def __post_init__(self) -> None:
        self.clock = HybridClock(self.client_id)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def estate(self, index: int = 0) -> str:
        return self.memberships[index]["estate_id"]

    async def sign_in(self, password: str = "demo") -> "Person":
        answer = await self.http.post("/api/auth/login", json={"email": self.email, "password": password})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        self.token, self.user_id, self.memberships = body["token"], body["user"]["id"], body["memberships"]
        return self

    def mutation(self, name: str, args: dict[str, Any], *, at: str | None = None,
                 number: int | None = None) -> dict[str, Any]:
        """A mutation as the phone would queue it (numbered and stamped now, unless told otherwise)."""
        if number is None:
            number = self.next_mutation
            self.next_mutation += 1
        return {"id": number, "name": name, "args": args, "at": at or stamp_now(self.clock)}

    async def push(self, *mutations: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        answer = await self.http.post("/api/sync/push", headers=self.headers,
                                      json={"client_id": self.client_id, "mutations": list(mutations)})
        assert answer.status_code == expect, answer.text
        return answer.json()

    async def pull_all(self, limit: int = 500) -> list[dict[str, Any]]:
        """Pull until nothing more is waiting; returns the changes in order."""
        changes: list[dict[str, Any]] = []
        while True:
            answer = await self.http.post("/api/sync/pull", headers=self.headers,
                                          json={"client_id": self.client_id, "cursor": self.cursor,
                                                "limit": limit})
            assert answer.status_code == 200, answer.text
            body = answer.json()
            changes.extend(body["changes"])
            self.cursor = body["cursor"]
            if not body["has_more"]:
                return changes

    async def replica(self) -> "Replica":
        """Pull everything into a fresh local copy, as a phone's database would hold it."""
        replica = Replica()
        replica.apply(await self.pull_all())
        return replica


class Replica:
    """What a phone holds after applying pulled changes in order: entity → id → data."""

    def __init__(self) -> None:
        self.entities: dict[str, dict[str, Any]] = {}

    def apply(self, changes: list[dict[str, Any]]) -> None:
        apply_changes(self.entities, changes)

    def issues(self) -> dict[str, Any]:
        return self.entities.get("issue", {})

    def events_of(self, issue_id: str) -> list[dict[str, Any]]:
        return sorted((e for e in self.entities.get("issue_event", {}).values() if e["issue_id"] == issue_id),
                      key=lambda e: e["at"])


@pytest.fixture
async def as_staff(client: AsyncTestClient) -> Person:
    return await Person(client, "staff@demo.test").sign_in()


@pytest.fixture
async def as_rep(client: AsyncTestClient) -> Person:
    """A TRA rep of the first demo estate (Larkspur)."""
    return await Person(client, "rep@demo.test").sign_in()


@pytest.fixture
async def as_rep2(client: AsyncTestClient) -> Person:
    """A TRA rep of the second demo estate (Canal Walk)."""
    return await Person(client, "rep2@demo.test").sign_in()


@pytest.fixture
async def as_contractor(client: AsyncTestClient) -> Person:
    return await Person(client, "contractor@demo.test").sign_in()


def new_issue_args(estate_id: str, **overrides: Any) -> dict[str, Any]:
    args = {
        "id": str(uuid.uuid4()), "estate_id": estate_id, "location_id": None, "category": "lighting",
        "title": "Landing light out", "description": "Dark on the landing after dusk.", "priority": "normal",
        "captured_at": "2026-11-20T10:15:00Z",
    }
    args.update(overrides)
    return args


# --- a live server, for browser journeys and real HTTP clients ---------------------------------------------

@dataclass
class LiveServer:
    url: str
    data_dir: Path
    settings: Settings


@contextlib.contextmanager
def serve_in_thread(settings: Settings) -> Iterator[LiveServer]:
    """The real app served by uvicorn in a thread on a free port, on the database the settings name.

    Unlike the test client, which answers one request at a time in its own thread, real requests here run
    concurrently in the server's event loop, so tests can interleave them.
    """
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", data_dir=settings.data_dir, settings=settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The real app served by uvicorn in a thread on a free port: SQLite, demo data, fresh data directory."""
    with serve_in_thread(Settings(data_dir=tmp_path / "live", demo=True)) as server:
        yield server


def decode_json(data: bytes) -> Any:
    return msgspec.json.decode(data)


def run_cli(settings: Settings, *args: str, input_text: str | None = None) -> "subprocess.CompletedProcess[str]":
    """Run the ``estatewalk`` command against the same database as the app under test.

    Tests change the database from outside through the command, as an operator would: the test client runs
    the app in its own thread and event loop, whose connection pool the test must not borrow.
    """
    env = {**os.environ, "ESTATEWALK_DATA": str(settings.data_dir)}
    env.pop("DATABASE_URL", None)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    env.pop("ESTATEWALK_PHOTO_STORE", None)
    if settings.photo_store:
        env["ESTATEWALK_PHOTO_STORE"] = settings.photo_store
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, capture_output=True, text=True,
                          input=input_text, timeout=120)


@pytest.fixture
def http_sync() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as c:
        yield c


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """One Playwright driver for the whole run: a second one started inside the same process fails."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as driver:
        yield driver
