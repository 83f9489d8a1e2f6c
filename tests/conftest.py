import os
import shutil
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.app import create_app
from bot.clock import FixedClock
from bot.db import upgrade
from bot.devtools.fakeslack import FakeSlack
from bot.models import Base
from bot.services import build_services
from bot.settings import Settings
from bot.web import make_server, stop_server
from tests.slackreq import ALICE, BOB, CAROL, GUEST, INTERNAL, OTHER, PARTNER, SECRET, SHARED, SlackClient

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.yml"
MONDAY_MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        upgrade(url)
        return url
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(migrated_template, tmp_path):
    if isinstance(migrated_template, str):
        engine = create_engine(migrated_template)
        with engine.begin() as connection:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return migrated_template
    path = tmp_path / "expect.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def fake_slack():
    fake = FakeSlack(scopes=MANIFEST).start()
    fake.add_user(ALICE, "alice", real_name="Alice Home", tz="Europe/Berlin")
    fake.add_user(CAROL, "carol", real_name="Carol Home", tz="America/New_York")
    fake.add_user(BOB, "bob", real_name="Bob Partner", tz="America/Chicago", team_id=PARTNER)
    fake.add_user(GUEST, "gus", real_name="Gus Guest", tz="UTC", is_restricted=True)
    fake.add_channel(SHARED, "proj-acme-partner", ext_shared_with=PARTNER)
    fake.add_channel(INTERNAL, "acme-team")
    fake.add_channel(OTHER, "not-joined", is_member=False)
    fake.add_channel("C07ARCHIVE1", "old-project", is_archived=True)
    yield fake
    fake.stop()
    assert fake.broken_rules == [], "the bot sent Slack something real Slack refuses"


@pytest.fixture
def clock():
    return FixedClock(MONDAY_MORNING)


@pytest.fixture
def services(database_url, fake_slack, clock):
    settings = Settings(bot_token="xoxb-test-token", signing_secret=SECRET, api_url=fake_slack.base_url,
                        database_url=database_url, port=0)
    built = build_services(settings, clock=clock, dispatcher_threads=4)
    built.dispatcher.pacer = built.gateway.pacer = None
    yield built
    built.close()


@pytest.fixture
def server(services):
    app = create_app(services)
    http = make_server(app, services, host="127.0.0.1", port=0)
    thread = threading.Thread(target=http.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.effective_port}"
    stop_server(http)
    thread.join(timeout=5)


@pytest.fixture
def slack(server, fake_slack):
    return SlackClient(f"{server}/slack/events", response_url=fake_slack.response_url("cmd"))
