import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot import ids
from bot.models import Project
from bot.models.trackers import UpdateItem
from tests.expectations_support import buttons, of_kind, rendered, tick
from tests.slackreq import ALICE, BOB, CAROL, INTERNAL, PARTNER, SHARED

ADD = ('add-project "Acme Website" <#C07SHARED01|proj-acme-partner> client="Acme Corp" tz=Europe/Berlin '
       'cadence="wed 10:00" internal=<#C07INTERN01|acme-team>')
PREVIEW_AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
UPDATE_AT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def project(slack, services):
    assert "Registered" in slack.command(ADD).text


def reaction(kind, ts, *, user=CAROL, emoji="star", channel=INTERNAL, team=None):
    event = {"type": kind, "user": user, "reaction": emoji, "item_user": ALICE,
             "item": {"type": "message", "channel": channel, "ts": ts}, "event_ts": f"{time.time():.6f}"}
    if team:
        event["user_team"] = team
    return event


def items(services):
    with services.sessions() as session:
        return list(session.scalars(select(UpdateItem.text).order_by(UpdateItem.id)))


def test_a_starred_internal_message_reaches_the_update(slack, services, fake_slack, clock, project):
    starred = fake_slack.add_message(INTERNAL, "Shipped the *new* checkout &lt;3", user=ALICE)["ts"]
    other = fake_slack.add_message(INTERNAL, "Lunch?", user=ALICE)["ts"]
    assert slack.event(reaction("reaction_added", starred), event_id="Ev1").status == 200
    assert slack.event(reaction("reaction_added", starred), event_id="Ev1").status == 200
    assert slack.event(reaction("reaction_added", other, emoji="tada"), event_id="Ev2").status == 200
    assert items(services) == ["Shipped the *new* checkout <3"]
    tick(services, clock, PREVIEW_AT)
    [preview] = of_kind(fake_slack, ALICE, "preview")
    assert "*Highlights*\n:star: Shipped the ∗new∗ checkout &lt;3" in rendered(preview)
    assert ids.UPDATE_ITEM_HIDE in buttons(preview)
    tick(services, clock, UPDATE_AT)
    [post] = of_kind(fake_slack, SHARED, "update")
    assert "Shipped the" in rendered(post) and "Lunch" not in rendered(post)


def test_unstarring_removes_the_highlight(slack, services, fake_slack, project):
    ts = fake_slack.add_message(INTERNAL, "Demo went well", user=ALICE)["ts"]
    slack.event(reaction("reaction_added", ts))
    assert items(services) == ["Demo went well"]
    slack.event(reaction("reaction_removed", ts))
    assert items(services) == []


def test_partners_stars_and_other_channels_do_not_count(slack, services, fake_slack, project):
    ts = fake_slack.add_message(INTERNAL, "Internal note", user=ALICE)["ts"]
    shared = fake_slack.add_message(SHARED, "Client message", user=BOB)["ts"]
    slack.event(reaction("reaction_added", ts, user=BOB, team=PARTNER))
    slack.event(reaction("reaction_added", shared))
    assert items(services) == []


def test_the_emoji_is_a_project_setting(slack, services, fake_slack, project):
    assert "highlights starred with :trophy:" in slack.command("settings acme-website highlight=:trophy:").text
    assert "give an emoji name" in slack.command("settings acme-website highlight=<b>").text
    ts = fake_slack.add_message(INTERNAL, "Passed the audit", user=ALICE)["ts"]
    slack.event(reaction("reaction_added", ts))
    assert items(services) == []
    slack.event(reaction("reaction_added", ts, emoji="trophy::skin-tone-3"))
    assert items(services) == ["Passed the audit"]
    with services.sessions() as session:
        assert session.scalar(select(Project.highlight_emoji)) == "trophy"
