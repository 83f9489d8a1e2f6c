import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, inspect

from tests.slackreq import SECRET, SlackClient

EXPECT = str(Path(sys.executable).with_name("expect"))
TOKENS = {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": "s3cret"}


def run(tmp_path, *args, timeout=60, **env):
    clean = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", **env}
    return subprocess.run([EXPECT, *args], cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=timeout)


def test_missing_token_stops_web_with_one_line(tmp_path):
    result = run(tmp_path, "web")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "expect: SLACK_BOT_TOKEN is not set (single-workspace mode); for distribution mode set SLACK_CLIENT_ID, "
        "SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET and EXPECT_ENCRYPTION_KEY instead (see .env.example)"]


def test_malformed_port_stops_web_with_one_line(tmp_path):
    result = run(tmp_path, "web", PORT="eighty", **TOKENS)
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert "PORT" in line and "eighty" in line and ".env.example" in line


def test_dotenv_in_working_directory_is_read(tmp_path):
    (tmp_path / ".env").write_text("SLACK_SIGNING_SECRET=s3cret\nPORT=eighty\n")
    result = run(tmp_path, "web", SLACK_BOT_TOKEN="xoxb-test-token")
    assert "PORT must be a port number, not 'eighty'" in result.stderr


def test_db_upgrade_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'expect.db'}"
    for _ in range(2):
        result = run(tmp_path, "db", "upgrade", DATABASE_URL=url, **TOKENS)
        assert result.returncode == 0, result.stderr
        assert "database is up to date" in result.stdout
    engine = create_engine(url)
    assert {"project", "milestone", "outbox", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_tick_with_bad_instant_is_one_line(tmp_path):
    for instant, expected in (("next tuesday", "not an ISO-8601 instant"), ("2026-11-30T09:00", "UTC offset")):
        result = run(tmp_path, "tick", "--at", instant, **TOKENS)
        assert result.returncode != 0
        [line] = result.stderr.strip().splitlines()
        assert expected in line


def test_demo_prints_transcript(tmp_path):
    result = run(tmp_path, "demo")
    assert result.returncode == 0, result.stderr
    assert "alice> /expect add-project \"Acme Website\"" in result.stdout
    transcript = result.stdout.split("=== What Slack saw")[1]
    assert "Acme Website" in transcript


def test_start_without_credentials_runs_demo(tmp_path):
    result = run(tmp_path, "start")
    assert result.returncode == 0, result.stderr
    first, *rest = result.stdout.splitlines()
    assert first == "No Slack credentials found (.env) — running the demo against a local fake Slack instead."
    assert "=== What Slack saw" in "\n".join(rest)


def test_start_with_token_serves_and_checks_settings(tmp_path):
    result = run(tmp_path, "start", PORT="eighty", **TOKENS)
    assert result.returncode != 0
    assert "No Slack credentials" not in result.stdout
    assert "PORT must be a port number" in result.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_web_serves_signed_commands_and_health(tmp_path, fake_slack):
    port = free_port()
    log = tmp_path / "web.log"
    env = {"PATH": os.environ.get("PATH", ""), "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": fake_slack.base_url, "DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}", "PORT": str(port)}
    with log.open("w") as errors:
        web = subprocess.Popen([EXPECT, "web"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert web.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.1)
        slack = SlackClient(f"http://127.0.0.1:{port}/slack/events")
        assert "No projects yet" in slack.command("list").text
        assert "Registered *Acme Website*" in slack.command('add-project "Acme Website" <#C07SHARED01|x>').text
        assert "*Acme Website*" in slack.command("list").text
        assert slack.send(b"command=%2Fexpect&text=list", "application/x-www-form-urlencoded",
                          signature="v0=bad").status == 401
    finally:
        web.terminate()
        web.wait(timeout=10)
    assert "will be unused" not in log.read_text()
