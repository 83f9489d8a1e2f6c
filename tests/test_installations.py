import logging
import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import create_engine, make_url, select

from bot.clock import FixedClock
from bot.db import make_engine
from bot.models.installations import BOTS
from bot.secrets import InvalidSecret, Sealer, new_key, redact_tokens_in_logs
from bot.settings import SettingsError, load_settings
from bot.slack.installations import InstallationStore, OAuthStateStore
from tests.test_cli import EXPECT

KEY_A, KEY_B = new_key(), new_key()
BOT_TOKEN = "xoxe.xoxb-1-MTIzNDU2Nzg5MC1ib3QtdG9rZW4tb2YtdGhlLWFjbWUtd29ya3NwYWNl"
REFRESH = "xoxe-1-My0xLTEyMzQ1Njc4OTAtcmVmcmVzaC10b2tlbi1vZi1hY21l"
USER_TOKEN = "xoxp-2222-3333-4444-user-token-of-the-installer"
HOOK = "https://hooks.slack.com/services/T0ACME0001/B0HOOK0001/secretpartofthehook"
SECRETS = (BOT_TOKEN, REFRESH, USER_TOKEN, HOOK)
DISTRIBUTION = {"SLACK_CLIENT_ID": "1234.5678", "SLACK_CLIENT_SECRET": "c1ient5ecret",
                "SLACK_SIGNING_SECRET": "s3cret", "EXPECT_ENCRYPTION_KEY": KEY_A}


@pytest.fixture
def engine(database_url):
    built = make_engine(database_url)
    yield built
    built.dispose()


def installation(**overrides):
    fields = dict(app_id="A07EXPECT01", team_id="T0ACME0001", team_name="Acme", bot_token=BOT_TOKEN,
                  bot_id="B07EXPECT01", bot_user_id="U07BOTUSER1", bot_scopes="chat:write,commands",
                  bot_refresh_token=REFRESH, bot_token_expires_in=43200, user_id="U0INSTALL1",
                  user_token=USER_TOKEN, user_scopes="", incoming_webhook_url=HOOK, token_type="bot")
    return Installation(**{**fields, **overrides})


def stored_text(database_url) -> str:
    """Everything the database holds, as its files (SQLite) or a full data dump (PostgreSQL's pg_dump) show it."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        return "".join(open(f, "rb").read().decode("latin-1") for f in (path, path + "-wal") if os.path.exists(f))
    dump = subprocess.run([shutil.which("pg_dump") or "pg_dump", "--data-only", "--dbname",
                           make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)],
                          capture_output=True, text=True, check=True)
    return dump.stdout


def test_tokens_are_sealed_at_rest_and_opened_on_find(engine, database_url):
    store = InstallationStore("1234.5678", engine, Sealer([KEY_A]))
    store.save(installation())
    found = store.find_installation(enterprise_id=None, team_id="T0ACME0001")
    bot = store.find_bot(enterprise_id=None, team_id="T0ACME0001")
    assert (found.bot_token, found.bot_refresh_token, found.user_token, found.incoming_webhook_url) == SECRETS
    assert (bot.bot_token, bot.bot_refresh_token, bot.bot_user_id) == (BOT_TOKEN, REFRESH, "U07BOTUSER1")
    at_rest = stored_text(database_url)
    assert "T0ACME0001" in at_rest
    assert not [secret for secret in SECRETS if secret in at_rest]


def test_another_key_cannot_open_them(engine):
    InstallationStore("1234.5678", engine, Sealer([KEY_A])).save(installation())
    with pytest.raises(InvalidSecret):
        InstallationStore("1234.5678", engine, Sealer([KEY_B])).find_bot(enterprise_id=None, team_id="T0ACME0001")


def test_keys_rotate_reseals_everything_with_the_first_key(engine, database_url, tmp_path):
    InstallationStore("1234.5678", engine, Sealer([KEY_A])).save(installation())
    with engine.connect() as connection:
        before = connection.execute(select(BOTS.c.bot_token)).scalar_one()
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": database_url, "EXPECT_ENCRYPTION_KEY": f"{KEY_B}, {KEY_A}"}
    result = subprocess.run([EXPECT, "keys", "rotate"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "6 stored secrets" in result.stdout
    only_b = InstallationStore("1234.5678", engine, Sealer([KEY_B]))
    assert only_b.find_installation(enterprise_id=None, team_id="T0ACME0001").user_token == USER_TOKEN
    assert only_b.find_bot(enterprise_id=None, team_id="T0ACME0001").bot_refresh_token == REFRESH
    with engine.connect() as connection:
        assert connection.execute(select(BOTS.c.bot_token)).scalar_one() != before
    with pytest.raises(InvalidSecret):
        InstallationStore("1234.5678", engine, Sealer([KEY_A])).find_bot(enterprise_id=None, team_id="T0ACME0001")


def test_keys_rotate_without_the_old_key_changes_nothing(engine, database_url, tmp_path):
    InstallationStore("1234.5678", engine, Sealer([KEY_A])).save(installation())
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": database_url, "EXPECT_ENCRYPTION_KEY": KEY_B}
    result = subprocess.run([EXPECT, "keys", "rotate"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "expect: a stored secret opens with none of EXPECT_ENCRYPTION_KEY's keys; nothing was changed. "
        "Put the key they were sealed with back in the list."]
    store = InstallationStore("1234.5678", engine, Sealer([KEY_A]))
    assert store.find_bot(enterprise_id=None, team_id="T0ACME0001").bot_token == BOT_TOKEN


def test_keys_new_prints_a_key_that_distribution_mode_accepts(tmp_path):
    result = subprocess.run([EXPECT, "keys", "new"], cwd=tmp_path, env={"PATH": os.environ["PATH"]},
                            capture_output=True, text=True)
    key = result.stdout.strip()
    assert load_settings({**DISTRIBUTION, "EXPECT_ENCRYPTION_KEY": f"{key},{KEY_A}"}, dotenv=False).encryption_keys \
        == (key, KEY_A)


def test_org_wide_install_is_found_from_any_of_its_workspaces(engine):
    store = InstallationStore("1234.5678", engine, Sealer([KEY_A]))
    store.save(installation(team_id=None, team_name=None, enterprise_id="E0GRID0001", enterprise_name="Grid",
                            is_enterprise_install=True))
    bot = store.find_bot(enterprise_id="E0GRID0001", team_id="T0ANYTEAM1", is_enterprise_install=True)
    assert (bot.bot_token, bot.enterprise_id, bot.is_enterprise_install) == (BOT_TOKEN, "E0GRID0001", True)
    assert store.find_bot(enterprise_id=None, team_id="T0ANYTEAM1") is None


def test_a_state_is_good_once_for_ten_minutes(engine):
    clock = FixedClock(datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc))
    states = OAuthStateStore(engine, clock)
    first, late = states.issue(), states.issue()
    clock.advance(timedelta(minutes=9, seconds=59))
    assert states.consume(first) is True
    assert states.consume(first) is False
    clock.advance(timedelta(seconds=1))
    assert states.consume(late) is False
    assert states.consume("made-up") is False


def test_distribution_mode_needs_all_four_settings():
    settings = load_settings(DISTRIBUTION, dotenv=False)
    assert settings.distribution and settings.bot_token is None
    assert (settings.client_id, settings.client_secret, settings.encryption_keys) == ("1234.5678", "c1ient5ecret",
                                                                                     (KEY_A,))
    with pytest.raises(SettingsError) as error:
        load_settings({"SLACK_CLIENT_ID": "1234.5678", "SLACK_SIGNING_SECRET": "s3cret"}, dotenv=False)
    assert str(error.value).startswith("distribution mode needs SLACK_CLIENT_SECRET and EXPECT_ENCRYPTION_KEY as well")
    with pytest.raises(SettingsError) as error:
        load_settings({**DISTRIBUTION, "EXPECT_ENCRYPTION_KEY": f"{KEY_A},not-a-key"}, dotenv=False)
    assert "EXPECT_ENCRYPTION_KEY must be" in str(error.value) and "not-a-key" not in str(error.value)


def test_a_bot_token_and_client_credentials_together_are_refused():
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": "s3cret",
                              "EXPECT_ENCRYPTION_KEY": KEY_A}, dotenv=False)
    assert not settings.distribution and settings.bot_token == "xoxb-test-token"
    with pytest.raises(SettingsError) as error:
        load_settings({**DISTRIBUTION, "SLACK_BOT_TOKEN": "xoxb-test-token"}, dotenv=False)
    assert str(error.value).startswith("SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are both set")


def test_missing_distribution_settings_stop_web_with_one_line(tmp_path):
    env = {"PATH": os.environ["PATH"], "SLACK_CLIENT_ID": "1234.5678", "EXPECT_ENCRYPTION_KEY": KEY_A}
    result = subprocess.run([EXPECT, "web"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "expect: distribution mode needs SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET as well "
        "(or SLACK_BOT_TOKEN alone for single-workspace mode; see .env.example)"]


def test_tokens_never_reach_a_log_record(caplog):
    redact_tokens_in_logs()
    caplog.set_level(logging.DEBUG)
    logging.getLogger("slack_sdk.web.base_client").debug("body: %s", f'{{"access_token": "{BOT_TOKEN}"}}')
    logging.getLogger("expect").warning(f"refresh {REFRESH}, user {USER_TOKEN}, hook {HOOK}")
    assert not [secret for secret in SECRETS if secret in caplog.text]
    assert '"access_token": "xoxe.…"' in caplog.text and "hooks.slack.com/services/…" in caplog.text
