"""Helpers for the accounts tests: acting on the database from outside, as an operator's script would."""

from __future__ import annotations

import os
import subprocess
import sys

from server.settings import Settings


def run_python(settings: Settings, code: str) -> str:
    """Run ``code`` (with ``await`` allowed, the database open) in a separate process against the app's database.

    Like ``run_cli``: the app under test owns its connection pool in its own event loop, so the test reaches the
    database from another process.
    """
    script = (
        "import asyncio\n"
        "from server.settings import settings_from_env\n"
        "from server.db.engine import use_database, open_pool, close_pool\n"
        "async def main():\n"
        "    engine = use_database(settings_from_env())\n"
        "    await open_pool(engine)\n"
        "    try:\n"
        + "".join(f"        {line}\n" for line in code.strip().splitlines()) +
        "    finally:\n"
        "        await close_pool(engine)\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "ESTATEWALK_DATA": str(settings.data_dir)}
    env.pop("DATABASE_URL", None)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout
