"""Backups and restore as docs/deploy.md describes them, and what phones see after a restore.

A restore takes the server back in time: phones hold cursors "from the future" and mutation numbers the server
no longer knows. The server must tell them to rebuild their copy (``reset``) and where numbering resumes (409.2),
so they can send their unsent changes again.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from sync.hlc import HybridClock
from tests.conftest import new_issue_args, require_postgres
from tests.faults.deployment import RunningServer


class ApiPhone:
    def __init__(self, url: str) -> None:
        self.url, self.client_id = url, str(uuid.uuid4())
        self.clock, self.number, self.cursor = HybridClock(self.client_id), 1, None
        login = httpx.post(f"{url}/api/auth/login", json={"email": "rep@demo.test", "password": "demo"}).json()
        self.headers = {"Authorization": f"Bearer {login['token']}"}
        self.estate = login["memberships"][0]["estate_id"]

    def push_issue(self, title: str, number: int | None = None) -> httpx.Response:
        number = number or self.number
        mutation = {"id": number, "name": "issue.create", "at": self.clock.now(int(time.time() * 1000)),
                    "args": new_issue_args(self.estate, title=title)}
        answer = httpx.post(f"{self.url}/api/sync/push", headers=self.headers,
                            json={"client_id": self.client_id, "mutations": [mutation]})
        if answer.status_code == 200:
            self.number = number + 1
        return answer

    def pull(self) -> dict:
        body = httpx.post(f"{self.url}/api/sync/pull", headers=self.headers,
                          json={"client_id": self.client_id, "cursor": self.cursor, "limit": 1000}).json()
        self.cursor = body["cursor"]
        return body


def _after_restore(phone: ApiPhone) -> None:
    """What every phone meets after a restore, and how it gets going again."""
    body = phone.pull()
    assert body["reset"] is True, "a cursor from the future must make the phone rebuild its copy"
    titles = {c["data"]["title"] for c in body["changes"] if c["entity"] == "issue"}
    assert "before the backup" in titles and "after the backup" not in titles
    refused = phone.push_issue("sent again after the restore", number=3)
    assert refused.status_code == 409 and refused.json()["expected_mutation_id"] == 2
    assert phone.push_issue("sent again after the restore", number=2).status_code == 200


def test_sqlite_online_backup_and_restore(tmp_path: Path):
    env = {**os.environ, "ESTATEWALK_DATA": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    server = RunningServer(env)
    try:
        phone = ApiPhone(server.url)
        assert phone.push_issue("before the backup").status_code == 200
        # The online backup API (what `sqlite3 db ".backup file"` uses), taken while the server runs.
        with contextlib.closing(sqlite3.connect(tmp_path / "data" / "estatewalk.sqlite3")) as live, \
                contextlib.closing(sqlite3.connect(tmp_path / "backup.sqlite3")) as backup:
            live.backup(backup)
        assert phone.push_issue("after the backup").status_code == 200
        phone.pull()
    finally:
        server.stop()
    database = tmp_path / "data" / "estatewalk.sqlite3"
    for leftover in (database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(tmp_path / "backup.sqlite3", database)
    assert subprocess.run([sys.executable, "-m", "server.cli", "check"], env=env, capture_output=True).returncode == 0
    server = RunningServer(env)
    try:
        phone.url = server.url
        _after_restore(phone)
    finally:
        server.stop()


@pytest.mark.postgres
def test_pg_dump_and_pg_restore(tmp_path: Path, postgres_url: str):
    require_postgres()
    env = {**os.environ, "ESTATEWALK_DATA": str(tmp_path / "data"), "DATABASE_URL": postgres_url}
    server = RunningServer(env)
    dump = tmp_path / "estatewalk.dump"
    try:
        phone = ApiPhone(server.url)
        assert phone.push_issue("before the backup").status_code == 200
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", postgres_url], check=True, timeout=120)
        assert phone.push_issue("after the backup").status_code == 200
        phone.pull()
    finally:
        server.stop()
    restored = postgres_url.rsplit("/", 1)[0] + f"/restored_{uuid.uuid4().hex[:8]}"
    admin = postgres_url.rsplit("/", 1)[0] + "/postgres"
    name = restored.rsplit("/", 1)[1]
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True, timeout=60)
    try:
        subprocess.run(["pg_restore", f"--dbname={restored}", str(dump)], check=True, timeout=120)
        env["DATABASE_URL"] = restored
        check = subprocess.run([sys.executable, "-m", "server.cli", "check"], env=env, capture_output=True,
                               text=True)
        assert check.returncode == 0, check.stdout
        server = RunningServer(env)
        try:
            phone.url = server.url
            _after_restore(phone)
        finally:
            server.stop()
    finally:
        subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], timeout=60)
