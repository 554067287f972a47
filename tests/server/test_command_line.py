"""The ``estatewalk`` command: it explains itself, migrates, loads demo data and manages people."""

import re
import subprocess
import sys

import pytest

from tests.conftest import run_cli

SUBCOMMANDS = ["serve", "check", "migrate", "demo", "user", "person", "send-mail", "receive-mail", "fetch-mail"]


def test_help_lists_every_command_and_the_environment():
    text = subprocess.run([sys.executable, "-m", "server.cli", "--help"], capture_output=True, text=True,
                          check=True).stdout
    for word in [*SUBCOMMANDS, "ESTATEWALK_DATA", "DATABASE_URL"]:
        assert word in text


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_each_command_explains_itself(command):
    answer = subprocess.run([sys.executable, "-m", "server.cli", command, "--help"], capture_output=True, text=True)
    assert answer.returncode == 0 and len(answer.stdout.splitlines()) > 3


async def test_user_creates_a_person_who_can_sign_in_with_their_role(client, settings):
    made = run_cli(settings, "user", "amina@example.org", "--name", "Amina Yusuf", "--password",
                   "correct horse battery", "--estate", "Larkspur Estate", "--role", "tra_rep")
    assert made.returncode == 0, made.stderr
    answer = await client.post("/api/auth/login", json={"email": "amina@example.org",
                                                        "password": "correct horse battery"})
    assert answer.status_code == 200
    assert [(m["estate_name"], m["role"]) for m in answer.json()["memberships"]] == [("Larkspur Estate", "tra_rep")]


def test_user_refuses_an_unknown_estate_and_a_short_password(settings):
    assert run_cli(settings, "migrate").returncode == 0
    short = run_cli(settings, "user", "x@example.org", "--password", "short")
    assert short.returncode == 2 and "at least 8" in short.stderr
    missing = run_cli(settings, "user", "x@example.org", "--password", "long enough pass", "--estate", "Nowhere")
    assert missing.returncode == 2 and "No estate" in missing.stderr


def test_demo_loads_once(settings):
    first, second = run_cli(settings, "demo"), run_cli(settings, "demo")
    assert "Demo data loaded" in first.stdout and "already there" in second.stdout


def test_the_readme_lists_every_command_and_every_setting():
    """The README's table is how an administrator finds a command; a new one left out of it is hidden."""
    import argparse
    from pathlib import Path

    from server.cli import ENVIRONMENT_HELP, build_parser

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    commands = next(action for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction))
    missing = [name for name in commands.choices if f"`estatewalk {name}" not in readme]
    assert not missing, f"README.md's command table lacks {missing}"
    settings = re.findall(r"\b(?:ESTATEWALK_[A-Z_]+|DATABASE_URL)\b", ENVIRONMENT_HELP)
    missing = [name for name in settings if name not in readme]
    assert not missing, f"README.md does not mention {missing}"
