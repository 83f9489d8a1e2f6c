import pytest

from bot import ids
from bot.models.delays import DelayNotice
from bot.models.expectations import Checkin, OwedItem, SurveyVote
from tests.expectations_support import ADD, buttons, deliver, of_kind, press, rows, tick, utc
from tests.slackreq import BOB, PARTNER, SHARED

BETA = "C07SHARED02"
WEDNESDAY_9AM_BERLIN = utc(2026, 11, 25, 8)


@pytest.fixture
def two_projects(slack, fake_slack):
    fake_slack.add_channel(BETA, "proj-beta-partner", ext_shared_with="T0OTHERCL1")
    slack.command(ADD)
    slack.command('add-project "Beta App" <#C07SHARED02|proj-beta-partner> client="Beta Inc" tz=Europe/Berlin')
    slack.command('add-milestone beta-app "Design" due=2026-11-27')
    slack.command('add-milestone beta-app "Launch" due=2026-12-04')


def forged(slack, fake_slack, action_id, value):
    return press(slack, fake_slack, action_id, value, user=BOB, team=PARTNER, channel=SHARED,
                 message_ts="1718000000.123456")


def test_sent_button_cannot_reach_another_projects_item(two_projects, slack, services, fake_slack, clock):
    slack.command('owe beta-app "Signed contract" due=2026-11-25')
    [item] = rows(services, OwedItem)
    answer = forged(slack, fake_slack, ids.OWED_SENT, str(item.id))
    assert "Nothing was changed" in answer["text"]
    assert rows(services, OwedItem)[0].state == "open"
    assert fake_slack.calls_to("chat.update") == []


def test_sent_button_still_works_in_its_own_channel(two_projects, slack, services, fake_slack, clock):
    slack.command('owe beta-app "Signed contract" due=2026-11-25')
    tick(services, clock, WEDNESDAY_9AM_BERLIN)
    [reminder] = of_kind(fake_slack, BETA, "owed-reminder")
    press(slack, fake_slack, ids.OWED_SENT, buttons(reminder)[ids.OWED_SENT], user=BOB, team=PARTNER, channel=BETA,
          message_ts=reminder["ts"], answer_by="chat.update")
    assert rows(services, OwedItem)[0].state == "received"


def test_vote_cannot_reach_another_projects_checkin(two_projects, slack, services, fake_slack, clock):
    slack.command('done beta-app "Design"')
    tick(services, clock, WEDNESDAY_9AM_BERLIN)
    [post] = of_kind(fake_slack, BETA, "checkin")
    value = buttons(post)[f"{ids.CHECKIN_VOTE}-1"]
    answer = forged(slack, fake_slack, f"{ids.CHECKIN_VOTE}-1", value)
    assert "Nothing was changed" in answer["text"]
    assert rows(services, SurveyVote) == []
    assert fake_slack.calls_to("chat.update") == []
    answer = forged(slack, fake_slack, ids.CHECKIN_COMMENT, str(rows(services, Checkin)[0].id))
    assert "Nothing was changed" in answer["text"] and fake_slack.calls_to("views.open") == []


def test_notice_buttons_cannot_reach_another_projects_notice(two_projects, slack, services, fake_slack, clock):
    slack.command('delay beta-app Launch to=2026-12-11 reason="The test system was down" urgent')
    deliver(services)
    [notice] = rows(services, DelayNotice)
    answer = forged(slack, fake_slack, ids.DELAY_NOTICE_ACK, str(notice.id))
    assert "Nothing was changed" in answer["text"]
    assert rows(services, DelayNotice)[0].client_ack_by is None
    answer = forged(slack, fake_slack, ids.DELAY_NOTICE_ASK, str(notice.id))
    assert "Nothing was changed" in answer["text"] and fake_slack.calls_to("views.open") == []


def comment_text(value="Fine"):
    return {ids.CHECKIN_COMMENT_TEXT: {ids.CHECKIN_COMMENT_TEXT: {"type": "plain_text_input", "value": value}}}


def test_comment_form_cannot_reach_another_projects_checkin(two_projects, slack, services, fake_slack, clock):
    slack.command('add-milestone acme-website "Design" due=2026-11-27')
    slack.command('done acme-website "Design"')
    slack.command('done beta-app "Design"')
    tick(services, clock, WEDNESDAY_9AM_BERLIN)
    acme, beta = (rows(services, Checkin, Checkin.project_id == n)[0] for n in (1, 2))
    [post] = of_kind(fake_slack, SHARED, "checkin")
    opened = press(slack, fake_slack, ids.CHECKIN_COMMENT, buttons(post)[ids.CHECKIN_COMMENT], user=BOB,
                   team=PARTNER, channel=SHARED, message_ts=post["ts"], answer_by="views.open")
    ours = opened["view"]["private_metadata"]
    swapped = ours.replace(f'"checkin":{acme.id}', f'"checkin":{beta.id}').replace(SHARED, BETA)
    for metadata in (str(beta.id), swapped, f'{{"channel":"{BETA}","checkin":{beta.id}}}'):
        answer = slack.view_submission(ids.CHECKIN_COMMENT_VIEW, comment_text(), user=BOB, team=PARTNER,
                                       private_metadata=metadata)
        assert "Nothing was changed" in answer.json["errors"][ids.CHECKIN_COMMENT_TEXT]
    assert rows(services, SurveyVote) == []
    answer = slack.view_submission(ids.CHECKIN_COMMENT_VIEW, comment_text(), user=BOB, team=PARTNER,
                                   private_metadata=ours)
    assert answer.status == 200 and answer.body == ""
    assert [(v.checkin_id, v.comment) for v in rows(services, SurveyVote)] == [(acme.id, "Fine")]


def test_question_form_cannot_reach_another_projects_notice(two_projects, slack, services, fake_slack, clock):
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')
    slack.command('delay acme-website Launch to=2026-12-11 reason="The test system was down" urgent')
    slack.command('delay beta-app Launch to=2026-12-11 reason="The test system was down" urgent')
    deliver(services)
    acme, beta = rows(services, DelayNotice)
    opened = press(slack, fake_slack, ids.DELAY_NOTICE_ASK, str(acme.id), user=BOB, team=PARTNER, channel=SHARED,
                   answer_by="views.open")
    ours = opened["view"]["private_metadata"]
    question = {ids.DELAY_QUESTION_TEXT: {ids.DELAY_QUESTION_TEXT: {"type": "plain_text_input", "value": "Why?"}}}
    for metadata in (str(beta.id), ours.replace(f'"notice":{acme.id}', f'"notice":{beta.id}')):
        answer = slack.view_submission(ids.DELAY_QUESTION_VIEW, question, user=BOB, team=PARTNER,
                                       private_metadata=metadata)
        assert "Nothing was changed" in answer.json["errors"][ids.DELAY_QUESTION_TEXT]
    assert [n.questions for n in rows(services, DelayNotice)] == [0, 0]
    answer = slack.view_submission(ids.DELAY_QUESTION_VIEW, question, user=BOB, team=PARTNER, private_metadata=ours)
    assert answer.json["response_action"] == "update"
    assert [n.questions for n in rows(services, DelayNotice)] == [1, 0]
