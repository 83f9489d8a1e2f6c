import json
import urllib.error
import urllib.request
import uuid
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from bot.devtools.fakegithub import FakeGitHub, sign_delivery
from bot.models import Milestone, Project
from bot.services import build_services
from bot.settings import Settings
from tests.slackreq import SECRET

HOOK_SECRET = "whsec-7c1f0d2a"
REPO = "acme/website"
ADD = ('add-project "Acme Website" <#C07SHARED01|proj-acme-partner> client="Acme Corp" tz=Europe/Berlin '
       'cadence="wed 10:00" internal=<#C07INTERN01|acme-team>')
PREVIEW_AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
UPDATE_AT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
LINK = 'link acme-website Build github=acme/website milestone="v1.0"'


@pytest.fixture
def fake_github():
    fake = FakeGitHub().start()
    yield fake
    fake.stop()


@pytest.fixture
def services(database_url, fake_slack, clock, fake_github):
    settings = Settings(bot_token="xoxb-test-token", signing_secret=SECRET, api_url=fake_slack.base_url,
                        database_url=database_url, port=0, github_token=fake_github.token,
                        github_api_url=fake_github.base_url, github_webhook_secret=HOOK_SECRET)
    built = build_services(settings, clock=clock, dispatcher_threads=4)
    built.dispatcher.pacer = built.gateway.pacer = None
    yield built
    built.close()


@pytest.fixture
def project(slack, services):
    assert "Registered" in slack.command(ADD).text
    assert "Added" in slack.command('add-milestone acme-website "Build" due=2026-12-04').text
    return one(services, Project)


def one(services, model, *where):
    with services.sessions() as session:
        return session.scalars(select(model).where(*where).order_by(model.id)).first()


def milestone(services):
    return one(services, Milestone, Milestone.title == "Build")


def github_milestone(fake, *, closed=1, open_=3, due=date(2026, 12, 4)):
    number = fake.add_milestone(REPO, "v1.0", due_on=due)
    for n in range(open_):
        fake.add_issue(REPO, f"Open task {n}", milestone=number)
    for n in range(closed):
        fake.add_issue(REPO, f"Done long ago {n}", milestone=number, closed_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
    return number


def deliver(server, event, payload, *, secret=HOOK_SECRET, delivery=None, signature=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-GitHub-Event": event,
               "X-GitHub-Delivery": delivery or str(uuid.uuid4()), "User-Agent": "GitHub-Hookshot/abc"}
    if signature is not False:
        headers["X-Hub-Signature-256"] = signature or sign_delivery(secret, body)
    request = urllib.request.Request(f"{server}/webhooks/github", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
