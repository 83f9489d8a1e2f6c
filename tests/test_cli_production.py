import os
import signal
import subprocess
import sys
import threading
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.cli import main
from bot.db import DatabaseNotReady, ensure_up_to_date
from tests.test_cli import EXPECT, TOKENS, free_port, run

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("TEST_DATABASE_URL", "")
SUBCOMMANDS = ("start", "web", "worker", "serve", "tick", "db", "purge", "demo", "keys")


def one_line(result):
    assert result.returncode not in (0, None), result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_mysql_url_is_refused_with_one_line_naming_the_setting(tmp_path):
    for command in (["web"], ["worker"], ["db", "upgrade"]):
        line = one_line(run(tmp_path, *command, DATABASE_URL="mysql://root:hunter2@db.example/expect", **TOKENS))
        assert line.startswith("expect: DATABASE_URL must be sqlite:///expect.db or postgresql://")
        assert "mysql://…" in line and "hunter2" not in line


def test_unreachable_postgres_is_one_line_on_upgrade_and_worker(tmp_path):
    url = f"postgresql://postgres:hunter2@127.0.0.1:{free_port()}/expect"
    for command in (["db", "upgrade"], ["worker"], ["web"]):
        line = one_line(run(tmp_path, *command, DATABASE_URL=url, **TOKENS))
        assert line.startswith("expect: DATABASE_URL (postgresql+psycopg://postgres:***@127.0.0.1:")
        assert "cannot use the database" in line and "hunter2" not in line


def test_unwritable_sqlite_path_is_one_line(tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    url = f"sqlite:///{tmp_path / 'not-a-folder' / 'expect.db'}"
    for command in (["db", "upgrade"], ["web"], ["worker"]):
        line = one_line(run(tmp_path, *command, DATABASE_URL=url, **TOKENS))
        assert line.startswith("expect: DATABASE_URL (sqlite:///") and "unable to open database file" in line


def test_placeholders_from_env_example_are_refused(tmp_path):
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    line = one_line(run(tmp_path, "web"))
    assert line == ("expect: SLACK_BOT_TOKEN is still the placeholder 'xoxb-your-bot-token'; paste the real value "
                    "from your Slack app (see .env.example)")
    line = one_line(run(tmp_path, "web", SLACK_BOT_TOKEN="xoxb-1-2-abc"))
    assert line.startswith("expect: SLACK_SIGNING_SECRET is still the placeholder 'your-signing-secret'")


def test_database_without_migrations_is_not_ready(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(DatabaseNotReady, match=r"is at revision none, not \w+: run `expect db upgrade`"):
        ensure_up_to_date(url)


@pytest.fixture
def fresh_postgres():
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    name = f"expect_fresh_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield PG.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@pytest.mark.skipif(not PG.startswith("postgresql"), reason="needs TEST_DATABASE_URL on PostgreSQL")
def test_never_upgraded_postgres_refuses_to_start(tmp_path, fresh_postgres):
    for command in ("web", "worker", "serve"):
        line = one_line(run(tmp_path, command, DATABASE_URL=fresh_postgres, PORT=str(free_port()), **TOKENS))
        assert line.startswith("expect: the database at DATABASE_URL (")
        assert line.endswith(": run `expect db upgrade`")
    assert run(tmp_path, "db", "upgrade", DATABASE_URL=fresh_postgres).returncode == 0


def test_every_subcommand_says_what_it_does_and_reads(tmp_path, capsys):
    for command in SUBCOMMANDS:
        with pytest.raises(SystemExit) as exit:
            main([command, "--help"])
        assert exit.value.code == 0
        assert "Reads" in capsys.readouterr().out, command
    assert "Reads: DATABASE_URL only" in run(tmp_path, "db", "--help").stdout
    main_help = run(tmp_path, "--help").stdout
    assert all(command in main_help for command in SUBCOMMANDS)


def test_worker_logs_each_tick_and_stops_cleanly_on_ctrl_c(tmp_path, fake_slack):
    env = {"PATH": os.environ.get("PATH", ""), "SLACK_API_URL": fake_slack.base_url,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}", **TOKENS}
    worker = subprocess.Popen([EXPECT, "worker"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    lines, ticked = [], threading.Event()

    def read():
        for line in worker.stdout:
            lines.append(line)
            if " expect.worker: tick " in line:
                ticked.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ticked.wait(timeout=30), "".join(lines)
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)
        reader.join(timeout=5)
    finally:
        worker.kill()
    output = "".join(lines)
    [tick] = [line for line in lines if "expect.worker: tick" in line]
    assert tick.rstrip().endswith(": nothing due") or "delivery" in tick
    assert worker.returncode == 0
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    assert "expect worker stopping (SIGINT)" in output


def test_standalone_fake_slack_starts_with_a_demo_team():
    fake = subprocess.Popen([sys.executable, "-m", "bot.devtools.fakeslack", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        api = fake.stdout.readline().split()[-1]
        request = urllib.request.Request(api + "users.info?user=U0PARTUSR1",
                                         headers={"Authorization": "Bearer xoxb-test-token"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
        assert '"ok": true' in body and '"team_id": "T0PARTNR01"' in body
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    usage = subprocess.run([sys.executable, "-m", "bot.devtools.fakeslack", "--help"], cwd=ROOT, capture_output=True,
                           text=True).stdout
    assert "demo team" in usage and "--empty" in usage
