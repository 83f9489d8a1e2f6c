from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.delay_notices import NOTICE_KIND
from bot.models import OutboxMessage, Project, WorkspacePause
from bot.models.installations import BOTS, INSTALLATIONS
from tests.expectations_support import deliver
from tests.slackreq import SlackClient
from tests.test_install import distribution, install, site  # noqa: F401

GRID, NORTH, SOUTH, GRID_BOT = "E0GRID0001", "T0NORTH001", "T0SOUTH001", "U0GRIDBOT1"
PEOPLE = {NORTH: ("U0NORTHUS1", "C0NORTHCH1", "North Site"), SOUTH: ("U0SOUTHUS1", "C0SOUTHCH1", "South Site")}


@pytest.fixture
def grid(site, fake_slack):
    fake_slack.add_org(GRID, PEOPLE)
    for team, (user, channel, _) in PEOPLE.items():
        fake_slack.add_user(user, f"owner-{team[2:7].lower()}", team_id=team)
        fake_slack.add_channel(channel, f"client-{team[2:7].lower()}", team_id=team)
    return SlackClient(f"{site}/slack/events", response_url=fake_slack.response_url("cmd"))


def org_installed(site, fake_slack, distribution):
    fake_slack.sign_in(None, enterprise_id=GRID, enterprise_name="Grid Org", org_wide=True, bot_user_id=GRID_BOT)
    assert install(site, fake_slack).status_code == 200
    return distribution.installations.find_bot(enterprise_id=GRID, team_id=None, is_enterprise_install=True).bot_token


def command(slack, team, text, *, org_wide=True):
    user, channel, _ = PEOPLE[team]
    return slack.command(text, user=user, team=team, channel=channel, enterprise=GRID, org_wide=org_wide)


def run_a_project(slack, team, *, org_wide=True):
    _, channel, name = PEOPLE[team]
    slug = name.lower().replace(" ", "-")
    for text, said in ((f'add-project "{name}" <#{channel}|x> tz=Europe/Berlin', "Registered"),
                       (f'add-milestone {slug} "Launch" due=2026-12-09', "Added"),
                       (f'delay {slug} launch to=2026-12-16 reason="The copy came late"', "queued")):
        answer = command(slack, team, text, org_wide=org_wide)
        assert answer.status == 200 and said in answer.text, answer.text


def uninstalled(slack, team, *, org_wide):
    answer = slack.event({"type": "app_uninstalled"}, team=team, installed=team, bot_user=GRID_BOT, enterprise=GRID,
                         org_wide=org_wide)
    assert answer.status == 200


def projects(services):
    with services.sessions() as session:
        found = session.execute(select(Project.team_id, Project.enterprise_id, Project.status, OutboxMessage.state)
                                .join(OutboxMessage, OutboxMessage.project_id == Project.id)
                                .where(OutboxMessage.kind == NOTICE_KIND).order_by(Project.team_id))
        return [tuple(row) for row in found]


def org_rows(services):
    with services.engine.connect() as connection:
        return [connection.execute(select(func.count()).select_from(table).where(table.c.enterprise_id == GRID))
                .scalar_one() for table in (INSTALLATIONS, BOTS)]


def api_calls(fake_slack):
    return [call for call in fake_slack.calls if call["method"] not in ("oauth.v2.access", "response_url")]


def test_an_org_wide_install_serves_pauses_and_resumes_every_workspace_of_the_org(grid, site, fake_slack,
                                                                                   distribution, clock):
    old = org_installed(site, fake_slack, distribution)
    for team in PEOPLE:
        run_a_project(grid, team)
    north, south = (command(grid, team, "list").text for team in PEOPLE)
    assert "North Site" in north and "South Site" not in north
    assert "South Site" in south and "North Site" not in south
    deliver(distribution)
    assert projects(distribution) == [(NORTH, GRID, "active", "pending"), (SOUTH, GRID, "active", "pending")]
    served = api_calls(fake_slack)
    assert {call["token"] for call in served} == {old}
    assert {call["args"]["user"] for call in served if call["method"] == "users.info"} == \
        {PEOPLE[NORTH][0], PEOPLE[SOUTH][0]}
    assert {call["args"]["channel"] for call in served if call["method"] == "conversations.info"} == \
        {PEOPLE[NORTH][1], PEOPLE[SOUTH][1]}
    assert {call["args"]["users"] for call in served if call["method"] == "conversations.open"} == \
        {PEOPLE[NORTH][0], PEOPLE[SOUTH][0]}

    uninstalled(grid, NORTH, org_wide=True)
    fake_slack.revoke(old)
    assert projects(distribution) == [(NORTH, GRID, "paused", "paused"), (SOUTH, GRID, "paused", "paused")]
    with distribution.sessions() as session:
        assert sorted(session.execute(select(WorkspacePause.team_id, WorkspacePause.enterprise_id))) == \
            [(NORTH, GRID), (SOUTH, GRID)]
    assert org_rows(distribution) == [0, 0]

    fake_slack.reset_calls()
    new = org_installed(site, fake_slack, distribution)
    assert new != old and org_rows(distribution) == [1, 1]
    assert projects(distribution) == [(NORTH, GRID, "active", "pending"), (SOUTH, GRID, "active", "pending")]
    clock.advance(timedelta(minutes=10))
    deliver(distribution)
    assert projects(distribution) == [(NORTH, GRID, "active", "sent"), (SOUTH, GRID, "active", "sent")]
    assert sorted(call["args"]["channel"] for call in api_calls(fake_slack) if call["method"] == "chat.postMessage") \
        == [PEOPLE[NORTH][1], PEOPLE[SOUTH][1]]
    assert "South Site" in command(grid, SOUTH, "status south-site").text
    assert {call["token"] for call in api_calls(fake_slack)} == {new}


def test_a_workspace_uninstall_in_a_grid_org_pauses_only_that_workspace(grid, site, fake_slack, distribution):
    for team in PEOPLE:
        fake_slack.sign_in(team, f"{team} workspace", enterprise_id=GRID, enterprise_name="Grid Org",
                           bot_user_id=f"U0{team[2:7]}B")
        assert install(site, fake_slack).status_code == 200
        run_a_project(grid, team, org_wide=False)
    uninstalled(grid, NORTH, org_wide=False)
    assert projects(distribution) == [(NORTH, GRID, "paused", "paused"), (SOUTH, GRID, "active", "pending")]
    assert distribution.installations.find_bot(enterprise_id=GRID, team_id=NORTH) is None
    assert distribution.installations.find_bot(enterprise_id=GRID, team_id=SOUTH) is not None


def test_an_org_wide_bot_token_revocation_pauses_every_workspace_of_the_org(grid, site, fake_slack, distribution):
    org_installed(site, fake_slack, distribution)
    for team in PEOPLE:
        run_a_project(grid, team)
    answer = grid.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [GRID_BOT]}}, team=SOUTH,
                        installed=SOUTH, bot_user=GRID_BOT, enterprise=GRID, org_wide=True)
    assert answer.status == 200
    assert projects(distribution) == [(NORTH, GRID, "paused", "paused"), (SOUTH, GRID, "paused", "paused")]
    assert org_rows(distribution) == [1, 0]
