import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.domain.delay_notices import NOTICE_KIND
from bot.models import OutboxMessage, Project, WorkspacePause
from bot.models.installations import BOTS, INSTALLATIONS
from jobs import run_tick
from tests.expectations_support import FIXTURES, deliver
from tests.slackreq import SlackClient
from tests.test_install import ACME, GLOBEX, distribution, install, site  # noqa: F401

TEAM_TABLES = {"project": Project.team_id, "slack_installations": INSTALLATIONS.c.team_id,
               "slack_bots": BOTS.c.team_id}
PEOPLE = {ACME: ("U0ACMEUSR1", "C0ACMECHAN1"), GLOBEX: ("U0GLOBUSR1", "C0GLOBCHAN1")}


def uninstalled(site, team, name="event_app_uninstalled.json"):
    body = json.loads((FIXTURES / name).read_text())
    body.update(team_id=team, event_id=f"Ev{team}", authorizations=[
        {"enterprise_id": None, "team_id": team, "user_id": "U07BOTUSER1", "is_bot": True}])
    answer = SlackClient(f"{site}/slack/events").send(json.dumps(body).encode(), "application/json")
    assert answer.status == 200


def project_with_a_waiting_notice(site, fake_slack, services, team):
    user, channel = PEOPLE[team]
    fake_slack.add_user(user, f"owner-{team[2:6].lower()}", team_id=team)
    fake_slack.add_channel(channel, f"client-{team[2:6].lower()}", team_id=team)
    slack = SlackClient(f"{site}/slack/events", response_url=fake_slack.response_url("cmd"))
    for text, said in ((f'add-project "Site of {team}" <#{channel}|x> tz=Europe/Berlin', "Registered"),
                       (f'add-milestone site-of-{team.lower()} "Launch" due=2026-12-09', "Added"),
                       (f'delay site-of-{team.lower()} launch to=2026-12-16 reason="The copy came late"', "queued")):
        answer = slack.command(text, user=user, team=team, channel=channel)
        assert answer.status == 200 and said in answer.text, answer.text
    deliver(services)


def both_installed(site, fake_slack, services):
    assert install(site, fake_slack).status_code == 200
    fake_slack.sign_in(GLOBEX, "Globex", bot_user_id="U07GLOBBOT")
    assert install(site, fake_slack).status_code == 200
    project_with_a_waiting_notice(site, fake_slack, services, ACME)
    project_with_a_waiting_notice(site, fake_slack, services, GLOBEX)


def state(services, team):
    with services.sessions() as session:
        project = session.scalar(select(Project).where(Project.team_id == team))
        notice = session.scalar(select(OutboxMessage).where(OutboxMessage.project_id == project.id,
                                                            OutboxMessage.kind == NOTICE_KIND))
        return project.status, notice.state


def team_rows(services, team):
    with services.sessions() as session:
        return {name: session.scalar(select(func.count()).where(column == team)) for name, column in
                TEAM_TABLES.items()} | {"outbox": session.scalar(select(func.count()).select_from(OutboxMessage).join(
                    Project, Project.id == OutboxMessage.project_id).where(Project.team_id == team))}


def test_uninstall_deletes_one_workspaces_tokens_and_pauses_only_it(site, fake_slack, distribution):
    both_installed(site, fake_slack, distribution)
    kept = team_rows(distribution, ACME)
    uninstalled(site, ACME)
    assert distribution.installations.find_bot(enterprise_id=None, team_id=ACME) is None
    assert distribution.installations.find_bot(enterprise_id=None, team_id=GLOBEX) is not None
    assert state(distribution, ACME) == ("paused", "paused")
    assert state(distribution, GLOBEX) == ("active", "pending")
    assert kept["project"] == 1 and kept["outbox"] > 1
    assert team_rows(distribution, ACME) == kept | {"slack_installations": 0, "slack_bots": 0}


def test_purge_after_the_retention_deletes_that_workspace_and_nothing_of_the_other(site, fake_slack, distribution,
                                                                                     clock):
    both_installed(site, fake_slack, distribution)
    kept, acme = team_rows(distribution, GLOBEX), team_rows(distribution, ACME)
    uninstalled(site, ACME)
    with distribution.engine.begin() as connection:
        connection.execute(INSTALLATIONS.insert().values(
            client_id="1234567890.9876543210", app_id="A07EXPECT01", team_id=ACME, user_id="U0INSTALL1", bot_token="stale",
            installed_at=clock.now()))
    run_tick(distribution, clock.now() + timedelta(days=29), deliver=False)
    assert team_rows(distribution, ACME) == acme | {"slack_installations": 1, "slack_bots": 0}
    run_tick(distribution, clock.now() + timedelta(days=30), deliver=False)
    assert team_rows(distribution, ACME) == {"project": 0, "slack_installations": 0, "slack_bots": 0, "outbox": 0}
    assert {name: n for name, n in team_rows(distribution, GLOBEX).items() if name != "outbox"} == \
        {name: n for name, n in kept.items() if name != "outbox"}
    assert state(distribution, GLOBEX) == ("active", "pending")
    assert distribution.installations.find_bot(enterprise_id=None, team_id=GLOBEX) is not None
    with distribution.sessions() as session:
        assert session.scalars(select(WorkspacePause)).all() == []


def test_reinstall_within_the_retention_resumes_without_stale_posts(site, fake_slack, distribution, clock):
    both_installed(site, fake_slack, distribution)
    uninstalled(site, ACME)
    clock.advance(timedelta(days=20))
    fake_slack.sign_in(ACME, "Acme Agency")
    assert install(site, fake_slack).status_code == 200
    assert state(distribution, ACME) == ("active", "cancelled")
    with distribution.sessions() as session:
        assert session.scalars(select(WorkspacePause)).all() == []
    assert distribution.installations.find_bot(enterprise_id=None, team_id=ACME) is not None


def test_after_an_uninstall_no_call_carries_the_old_token(site, fake_slack, distribution, clock):
    assert install(site, fake_slack).status_code == 200
    old = distribution.installations.find_bot(enterprise_id=None, team_id=ACME).bot_token
    project_with_a_waiting_notice(site, fake_slack, distribution, ACME)
    assert fake_slack.calls_to("chat.postMessage", token=old)
    uninstalled(site, ACME)
    fake_slack.revoke(old)
    fake_slack.reset_calls()
    assert install(site, fake_slack).status_code == 200
    new = distribution.installations.find_bot(enterprise_id=None, team_id=ACME).bot_token
    clock.advance(timedelta(minutes=10))
    deliver(distribution)
    assert state(distribution, ACME) == ("active", "sent")
    assert [call["args"]["channel"] for call in fake_slack.calls if call["method"] == "chat.postMessage"] == \
        [PEOPLE[ACME][1]]
    assert {call.get("token") for call in fake_slack.calls if call["method"] != "oauth.v2.access"} == {new}
