import pytest

from bot.models import Milestone, Project
from bot.models.expectations import OwedItem, ResponsePromise
from tests.expectations_support import ADD, rows, send_event
from tests.slackreq import BOB, PARTNER, SHARED

LONG_ID = "U" + "X" * 40


@pytest.fixture
def acme(slack):
    slack.command(ADD)
    slack.command('add-milestone acme-website "Design" due=2026-12-04')


@pytest.mark.parametrize("text, expected", [
    ('add-milestone acme-website "Someday" due=9999-12-31', "9999-12-31 is out of range"),
    ('add-milestone acme-website "Long ago" due=1999-12-31', "1999-12-31 is out of range"),
    ('add-milestone acme-website "Later" due="in 20 years"', "out of range"),
    ('owe acme-website "Keys" due=9999-12-31', "9999-12-31 is out of range"),
    ('delay acme-website Design to=9999-12-31 reason="x"', "9999-12-31 is out of range"),
    ("progress acme-website #\u00b2 50%", "has no milestone `#\u00b2`"),
    ("done acme-website \u0661", "has no milestone"),
    ("settings acme-website tz=Europe/" + "x" * 300, "too long for a time zone"),
    ('add-project "Beta" <#C07SHARED01|proj> tz=Europe/' + "x" * 300, "too long for a time zone"),
    (f'add-project "Beta" <#C07SHARED01|proj> owner=<@{LONG_ID}>', "is not a person"),
    ('add-project "Beta" <#C' + "X" * 40 + "|proj>", "is not a channel"),
    ('add-project "Beta" <#C07SHARED01|proj> colour=blue', "I don't know `colour=`"),
    ('add-project "Beta" <#C07SHARED01|proj> cadance="fri 16:00"', "`cadence=`"),
    ('add-milestone acme-website "Launch" due=fri owner=<@U0HOMEUSR1>', "`add-milestone` understands `due=`."),
    ("status acme-website verbose=yes", "`status` takes no options"),
    ('done acme-website Design urgent', "I don't know `urgent`"),
])
def test_bad_input_gets_a_clear_answer_and_changes_nothing(acme, slack, services, text, expected):
    before = [(m.number, m.title, m.due_date, m.progress, m.state) for m in rows(services, Milestone)]
    answer = slack.command(text)
    assert answer.status == 200 and answer.json["response_type"] == "ephemeral"
    assert expected in answer.text and "Sorry" not in answer.text, answer.text
    assert "For example: `" in answer.text or "Its milestones" in answer.text
    assert [(m.number, m.title, m.due_date, m.progress, m.state) for m in rows(services, Milestone)] == before
    assert [p.slug for p in rows(services, Project)] == ["acme-website"]
    assert rows(services, OwedItem) == []


def test_ascii_milestone_numbers_still_work(acme, slack, services):
    assert "is now at 50%" in slack.command("progress acme-website #1 50%").text


def test_nul_characters_are_dropped_from_commands(acme, slack, services):
    answer = slack.command('add-milestone acme-website "La\x00unch" due=2026-12-11')
    assert "Added #2 *Launch*" in answer.text
    assert [m.title for m in rows(services, Milestone)] == ["Design", "Launch"]


def test_client_question_with_nul_is_tracked(acme, slack, services, fake_slack):
    text = "Could you send the \x00staging link?"
    stored = fake_slack.add_message(SHARED, text, user=BOB)
    event = {"type": "message", "channel": SHARED, "user": BOB, "text": text, "ts": stored["ts"], "team": PARTNER,
             "user_team": PARTNER, "channel_type": "channel", "event_ts": stored["ts"]}
    send_event(slack, services, event, ext_shared=True)
    [promise] = rows(services, ResponsePromise)
    assert promise.excerpt == "Could you send the staging link?"
