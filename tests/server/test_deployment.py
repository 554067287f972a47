"""A deployment as docs/deploy.md describes it: several workers on PostgreSQL, checked by ``estatewalk check``."""

import os

import httpx
import pytest

from bench.server_process import ServerProcess
from server.settings import Settings
from tests.conftest import free_port, run_cli


def test_check_fails_before_migrating_and_passes_after(settings: Settings):
    before = run_cli(settings, "check")
    assert before.returncode == 1 and "FAIL  migrations current" in before.stdout
    assert run_cli(settings, "migrate").returncode == 0
    after = run_cli(settings, "check")
    assert after.returncode == 0, after.stdout
    assert "ok    photo store writable" in after.stdout


def test_check_reports_an_unreachable_mail_server(settings: Settings, monkeypatch):
    run_cli(settings, "migrate")
    monkeypatch.setenv("ESTATEWALK_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    answer = run_cli(settings, "check")
    assert answer.returncode == 1 and "FAIL  SMTP reachable" in answer.stdout


@pytest.mark.postgres
def test_four_workers_start_together_on_one_fresh_database(postgres_url, tmp_path):
    """Workers of a new deployment migrate at once; the migration lock makes them take turns."""
    env = {**os.environ, "DATABASE_URL": postgres_url, "ESTATEWALK_DATA": str(tmp_path)}
    server = ServerProcess(env, log_path=tmp_path / "server.log", workers=4, log_level="info")
    server.launch()
    try:
        server.wait_ready(timeout=90)
        answers = [httpx.get(f"{server.url}/api/health", timeout=2).json() for _ in range(20)]
        assert all(a == {"status": "ok", "database": "postgresql"} for a in answers)
        login = httpx.post(f"{server.url}/api/auth/login", json={"email": "rep@demo.test", "password": "demo"},
                           timeout=10)
        assert login.status_code == 200
    finally:
        server.stop()
    output = server.log_text()
    assert output.count("Application startup complete") == 4, output
    assert "Traceback" not in output, output
