"""The Procfile, the command line and the README stay true to the code."""

import os
import re
import shlex
import subprocess
import sys

import pytest
from sqlalchemy import select

from db.messages import Message
from gateway.cli import cli
from ivr_flows.understanding import read_citizen_text, read_volunteer_text
from tests.conftest import CITIZEN_SR, REPO_ROOT

PROCFILE = REPO_ROOT / "Procfile"


def _procfile() -> dict[str, list[str]]:
    entries = {}
    for line in PROCFILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = shlex.split(command)
    return entries


def test_procfile_web_target_builds_the_app(env, monkeypatch):
    target = next(arg for arg in _procfile()["web"] if ":" in arg and "(" in arg)
    module_name, factory = target.split(":")
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    module = __import__(module_name)
    app = getattr(module, factory.rstrip("()"))()

    assert "/twilio/sms" in {rule.rule for rule in app.url_map.iter_rules()}


def test_procfile_worker_sends_the_outbox(hotline, env):
    hotline.client_post(CITIZEN_SR, "POMOC")
    command = [arg.replace("$REDIS_URL", hotline.redis_url) for arg in _procfile()["worker"]]
    executable = os.path.join(os.path.dirname(sys.executable), command[0])

    result = subprocess.run([executable, *command[1:], "--burst"], env={**os.environ, **env},
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr[-2000:]
    assert len(hotline.bodies_to(CITIZEN_SR)) >= 1, result.stderr[-3000:]
    with hotline.database.session() as session:
        statuses = session.scalars(select(Message.status).where(Message.to_number == CITIZEN_SR)).all()
    assert set(statuses) == {"sent"}


@pytest.mark.parametrize("name", ["scheduler", "release"])
def test_procfile_commands_exist(name):
    command = _procfile()[name]
    assert command[0] == "hotline"

    result = subprocess.run([sys.executable, "-m", "gateway.cli", *command[1:], "--help"],
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr[-2000:]


def test_readme_commands_are_registered():
    readme = (REPO_ROOT / "README.md").read_text()
    for group, command in set(re.findall(r"hotline ([\w-]+) ([\w-]+)", readme)):
        if group in cli.commands and hasattr(cli.commands[group], "commands"):
            assert command in cli.commands[group].commands, f"hotline {group} {command}"


def _table_keywords(readme: str, heading: str) -> list[str]:
    section = readme.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|") and "`" in line]
    return [(row.split("|")[1].strip(), re.findall(r"`([^`]+)`", row)) for row in rows]


CITIZEN_MEANING = {
    "ask for food, medicine or supplies": "delivery",
    "ask for a document": "document",
    "hear about your request": "status",
    "cancel request 12 (always with its number)": "cancel_request",
    "get the menu": "help",
    "change language or script": "switch_language",
}
VOLUNTEER_MEANING = {
    "take request 12": "accept",
    "pass": "decline",
    "report it finished": "done",
    "see your offers and tasks": "status",
}


def test_readme_citizen_keywords_are_understood():
    readme = (REPO_ROOT / "README.md").read_text()
    for purpose, keywords in _table_keywords(readme, "Citizens (any case"):
        if purpose not in CITIZEN_MEANING:
            continue
        for keyword in keywords:
            assert read_citizen_text(keyword).intent == CITIZEN_MEANING[purpose], keyword


def test_readme_volunteer_keywords_are_understood():
    readme = (REPO_ROOT / "README.md").read_text()
    for purpose, keywords in _table_keywords(readme, "Volunteers:"):
        if purpose in VOLUNTEER_MEANING:
            for keyword in keywords:
                assert read_volunteer_text(keyword).command == VOLUNTEER_MEANING[purpose], keyword
        elif purpose.startswith("take a break"):
            pause, resume = keywords[0::2], keywords[1::2]
            assert [read_volunteer_text(word).command for word in pause] == ["pause"] * len(pause)
            assert [read_volunteer_text(word).command for word in resume] == ["resume"] * len(resume)
