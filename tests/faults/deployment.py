"""A deployment as an operator runs it: a server process, its backups (database, then photos) and restores.

Backups and restores are done exactly as docs/deploy.md says: SQLite's online backup while the server runs, or
``pg_dump``/``pg_restore`` into a new database; photos copied after the database.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path


from bench.server_process import ServerProcess, free_port


class RunningServer(ServerProcess):
    """``estatewalk serve --demo`` as a process, started at once, on a port that stays the same when started again.

    Its output goes beside the data directory, not into it, so backups and restores see only what the server wrote.
    """

    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        data_dir = Path(env["ESTATEWALK_DATA"])
        super().__init__(env, port=port, log_path=data_dir.parent / f"{data_dir.name}-server.log")
        self.start()


class Deployment:
    """One server with its data directory and database, able to back up and restore itself."""

    def __init__(self, tmp_path: Path, postgres_url: str | None = None, *, replay_days: int | None = None) -> None:
        self.tmp_path = tmp_path
        self.data_dir = tmp_path / "data"
        self.env = {**os.environ, "ESTATEWALK_DATA": str(self.data_dir)}
        self.env.pop("DATABASE_URL", None)
        if postgres_url:
            self.env["DATABASE_URL"] = postgres_url
        if replay_days is not None:
            self.env["ESTATEWALK_REPLAY_DAYS"] = str(replay_days)
        self.port = free_port()
        self.server: RunningServer | None = None
        self.restored_databases: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def postgres_url(self) -> str | None:
        return self.env.get("DATABASE_URL")

    def start(self) -> None:
        self.server = RunningServer(self.env, self.port)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def backup(self, name: str) -> None:
        """Database first, then photos, while the server runs."""
        target = self.tmp_path / f"backup-{name}"
        target.mkdir()
        if self.postgres_url:
            subprocess.run(["pg_dump", "--format=custom", f"--file={target / 'estatewalk.dump'}",
                            self.postgres_url], check=True, timeout=120)
        else:
            # The online backup API (what `sqlite3 db ".backup file"` uses). Closed at once: a connection left
            # to the garbage collector would keep the old file's WAL open across the restore.
            with contextlib.closing(sqlite3.connect(self.data_dir / "estatewalk.sqlite3")) as live, \
                    contextlib.closing(sqlite3.connect(target / "estatewalk.sqlite3")) as copy:
                live.backup(copy)
        if (self.data_dir / "photos").exists():
            shutil.copytree(self.data_dir / "photos", target / "photos")

    def restore(self, name: str) -> None:
        """Stop the server, put the backup in place (a new database on PostgreSQL), start it again."""
        source = self.tmp_path / f"backup-{name}"
        self.stop()
        if self.postgres_url:
            base = self.postgres_url.rsplit("/", 1)[0]
            database = f"restored_{uuid.uuid4().hex[:8]}"
            subprocess.run(["psql", f"{base}/postgres", "-qc", f'CREATE DATABASE "{database}"'], check=True,
                           timeout=60)
            self.restored_databases.append(f"{base}/postgres|{database}")
            subprocess.run(["pg_restore", f"--dbname={base}/{database}", str(source / "estatewalk.dump")],
                           check=True, timeout=120)
            self.env["DATABASE_URL"] = f"{base}/{database}"
        else:
            database = self.data_dir / "estatewalk.sqlite3"
            for leftover in (database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copy(source / "estatewalk.sqlite3", database)
        shutil.rmtree(self.data_dir / "photos", ignore_errors=True)
        if (source / "photos").exists():
            shutil.copytree(source / "photos", self.data_dir / "photos")
        check = subprocess.run([sys.executable, "-m", "server.cli", "check"], env=self.env, capture_output=True,
                               text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        self.start()

    def close(self) -> None:
        self.stop()
        for entry in self.restored_databases:
            admin, database = entry.split("|")
            subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'], timeout=60)
