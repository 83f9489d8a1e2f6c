from bot import ids
from bot.models.expectations import OwedItem, SurveyVote
from tests.expectations_support import ADD, buttons, of_kind, rows, tick, utc
from tests.slackreq import BOB, PARTNER, SHARED


def apologies(fake_slack):
    return [c for c in fake_slack.calls_to("response_url") if "nothing was changed" in c.get("text", "")]


def test_sent_click_recorded_even_when_the_message_cannot_be_updated(slack, services, fake_slack, clock):
    slack.command(ADD)
    slack.command('owe acme-website "Brand assets" due=2026-11-25')
    tick(services, clock, utc(2026, 11, 25, 8))
    [reminder] = of_kind(fake_slack, SHARED, "owed-reminder")
    fake_slack.fail_next("chat.update", "message_not_found")
    answer = slack.button(ids.OWED_SENT, buttons(reminder)[ids.OWED_SENT], user=BOB, team=PARTNER,
                          message_ts=reminder["ts"])
    assert answer.status == 200
    assert rows(services, OwedItem)[0].state == "received"
    assert apologies(fake_slack) == []


def test_vote_recorded_even_when_the_message_cannot_be_updated(slack, services, fake_slack, clock):
    slack.command(ADD)
    slack.command('add-milestone acme-website "Design" due=2026-11-27')
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')
    slack.command('done acme-website "Design"')
    tick(services, clock, utc(2026, 11, 25, 8))
    [post] = of_kind(fake_slack, SHARED, "checkin")
    fake_slack.fail_next("chat.update", "message_not_found")
    action = f"{ids.CHECKIN_VOTE}-3"
    answer = slack.button(action, buttons(post)[action], user=BOB, team=PARTNER, message_ts=post["ts"])
    assert answer.status == 200
    assert [v.score for v in rows(services, SurveyVote)] == [3]
    assert apologies(fake_slack) == []
