"""Several server processes on one PostgreSQL database: pullers miss nothing while phones push at once.

On PostgreSQL two transactions can commit in a different order from the one in which they took their numbers;
a puller that read past the later one would never see the earlier. This runs the real ``estatewalk serve`` twice
against one database, pushes from several phones through both, and pulls through both at the same time.
"""

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
import uuid

import httpx
import pytest

from sync.hlc import HybridClock
from bench.server_process import ServerProcess
from tests.conftest import new_issue_args

PHONES, PUSHES_PER_PHONE, ISSUES_PER_PUSH, PULLERS = 4, 12, 5, 3

pytestmark = pytest.mark.postgres


def _start_servers(database_url: str, data_dir: Path, count: int) -> list[ServerProcess]:
    env = {**os.environ, "DATABASE_URL": database_url, "ESTATEWALK_DATA": str(data_dir)}
    subprocess.run([sys.executable, "-m", "server.cli", "demo"], env=env, check=True, capture_output=True,
                   timeout=120)
    servers = [ServerProcess(env, log_path=data_dir / f"server{n}.log") for n in range(count)]
    for server in servers:
        server.launch()
    for server in servers:
        server.wait_ready()
    return servers


async def _sign_in(http: httpx.AsyncClient, url: str) -> tuple[str, str]:
    body = (await http.post(f"{url}/api/auth/login", json={"email": "staff@demo.test", "password": "demo"})).json()
    return body["token"], body["memberships"][0]["estate_id"]


async def _phone(http, urls, token, estate, acknowledged: set[str]) -> None:
    client_id = str(uuid.uuid4())
    clock = HybridClock(client_id)
    number = 1
    for push in range(PUSHES_PER_PHONE):
        mutations, ids = [], []
        for _ in range(ISSUES_PER_PUSH):
            args = new_issue_args(estate, title=f"concurrent {client_id[:8]} {number}")
            mutations.append({"id": number, "name": "issue.create", "args": args,
                              "at": clock.now(int(time.time() * 1000))})
            ids.append(args["id"])
            number += 1
        answer = await http.post(f"{urls[push % len(urls)]}/api/sync/push",
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"client_id": client_id, "mutations": mutations})
        assert answer.status_code == 200, answer.text
        assert {r["status"] for r in answer.json()["results"]} == {"applied"}
        acknowledged.update(ids)


async def _puller(http, urls, token, pushing_done: asyncio.Event, seen: set[str]) -> None:
    client_id, cursor, page = str(uuid.uuid4()), None, 0
    caught_up_after_done = False
    while not caught_up_after_done:
        finished_before_this_pull = pushing_done.is_set()
        answer = await http.post(f"{urls[page % len(urls)]}/api/sync/pull",
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"client_id": client_id, "cursor": cursor, "limit": 7})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        seen.update(c["id"] for c in body["changes"] if c["entity"] == "issue")
        cursor, page = body["cursor"], page + 1
        caught_up_after_done = finished_before_this_pull and not body["has_more"]
        if not body["has_more"]:
            await asyncio.sleep(0.01)


def test_pullers_miss_nothing_while_phones_push_through_several_processes(postgres_url, tmp_path):
    servers = _start_servers(postgres_url, tmp_path, count=2)
    urls = [server.url for server in servers]

    async def scenario() -> tuple[set[str], list[set[str]]]:
        async with httpx.AsyncClient(timeout=60) as http:
            token, estate = await _sign_in(http, urls[0])
            acknowledged: set[str] = set()
            done = asyncio.Event()
            seen = [set() for _ in range(PULLERS)]
            pullers = [asyncio.create_task(_puller(http, urls, token, done, s)) for s in seen]
            await asyncio.gather(*[_phone(http, urls, token, estate, acknowledged) for _ in range(PHONES)])
            done.set()
            await asyncio.wait_for(asyncio.gather(*pullers), timeout=120)
            return acknowledged, seen

    try:
        acknowledged, seen = asyncio.run(scenario())
    finally:
        for server in servers:
            server.stop()
    assert len(acknowledged) == PHONES * PUSHES_PER_PHONE * ISSUES_PER_PUSH
    for puller_seen in seen:
        assert acknowledged - puller_seen == set()
    assert [server.tracebacks() for server in servers] == [0, 0], [server.log_tail() for server in servers]
