from datetime import date

from sqlalchemy import select

from bot import ids
from bot.models import Milestone, MilestoneMove
from bot.models.expectations import Checkin, SurveyVote
from tests.expectations_support import ADD, buttons, deliver, of_kind, press, rendered, rows, tick, utc
from tests.slackreq import ALICE, BOB, PARTNER, SHARED

DANA = "U0PARTUSR2"
WEDNESDAY_9AM_BERLIN = utc(2026, 11, 25, 8)


def start(slack, fake_slack):
    fake_slack.add_user(DANA, "dana", real_name="Dana Partner", tz="America/Chicago", team_id=PARTNER)
    slack.command(ADD)
    slack.command('add-milestone acme-website "Design sign-off" due=2026-11-27')
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')
    slack.command('done acme-website "Design sign-off"')


def checkin_post(services, clock, fake_slack):
    tick(services, clock, WEDNESDAY_9AM_BERLIN)
    [post] = of_kind(fake_slack, SHARED, "checkin")
    return post


def vote(slack, fake_slack, post, score, user=BOB, team=PARTNER):
    action = f"{ids.CHECKIN_VOTE}-{score}"
    answer_by = "chat.update" if team == PARTNER else "response_url"
    return press(slack, fake_slack, action, buttons(post)[action], user=user, team=team, message_ts=post["ts"],
                 answer_by=answer_by)


def test_delivered_note_then_checkin_two_business_days_later(slack, services, fake_slack, clock):
    start(slack, fake_slack)
    deliver(services)
    [note] = of_kind(fake_slack, SHARED, "delivered")
    assert "*Delivered: Design sign-off* — 4 days early" in rendered(note)
    tick(services, clock, utc(2026, 11, 25, 7, 59))
    assert of_kind(fake_slack, SHARED, "checkin") == []
    post = checkin_post(services, clock, fake_slack)
    assert "How did Design sign-off go?" in rendered(post)
    assert [b for b in buttons(post) if b.startswith(ids.CHECKIN_VOTE)] == [f"{ids.CHECKIN_VOTE}-{n}" for n in (1, 2, 3, 4)]
    assert [e["text"]["text"] for e in post["blocks"][1]["elements"][:4]] == ["😞", "😐", "🙂", "😍"]
    [checkin] = rows(services, Checkin)
    assert (checkin.state, checkin.ts, checkin.kind) == ("sent", post["ts"], "milestone")


def test_one_vote_per_person_changeable(slack, services, fake_slack, clock):
    start(slack, fake_slack)
    post = checkin_post(services, clock, fake_slack)
    first = vote(slack, fake_slack, post, 3)
    assert first["ts"] == post["ts"] and "Answered by Bob" in rendered(first)
    vote(slack, fake_slack, post, 4)
    update = vote(slack, fake_slack, post, 4, user=DANA)
    assert "Answered by Bob, Dana" in rendered(update)
    assert sorted((v.user_id, v.score) for v in rows(services, SurveyVote)) == [(BOB, 4), (DANA, 4)]
    [message] = [m for m in fake_slack.messages(SHARED) if m["ts"] == post["ts"]]
    assert "Answered by Bob, Dana" in rendered(message)


def test_team_member_cannot_vote(slack, services, fake_slack, clock):
    start(slack, fake_slack)
    post = checkin_post(services, clock, fake_slack)
    answer = vote(slack, fake_slack, post, 1, user=ALICE, team="T0HOME0001")
    assert "This survey is for the client" in answer["text"]
    assert rows(services, SurveyVote) == []


def test_low_score_alerts_owner(slack, services, fake_slack, clock):
    start(slack, fake_slack)
    post = checkin_post(services, clock, fake_slack)
    vote(slack, fake_slack, post, 3)
    deliver(services)
    assert of_kind(fake_slack, ALICE, "checkin-low") == []
    vote(slack, fake_slack, post, 2)
    deliver(services)
    [alert] = of_kind(fake_slack, ALICE, "checkin-low")
    assert "Bob answered 😐" in rendered(alert) and "*Design sign-off*" in rendered(alert)
    assert "follow up with them in person" in rendered(alert)
    assert [(v.user_id, v.score) for v in rows(services, SurveyVote)] == [(BOB, 2)]


def test_comment_through_modal(slack, services, fake_slack, clock):
    start(slack, fake_slack)
    post = checkin_post(services, clock, fake_slack)
    vote(slack, fake_slack, post, 1)
    modal = press(slack, fake_slack, ids.CHECKIN_COMMENT, buttons(post)[ids.CHECKIN_COMMENT], user=BOB, team=PARTNER,
                  message_ts=post["ts"], answer_by="views.open")
    assert modal["view"]["callback_id"] == ids.CHECKIN_COMMENT_VIEW
    text = {ids.CHECKIN_COMMENT_TEXT: {ids.CHECKIN_COMMENT_TEXT: {"type": "plain_text_input",
                                                                  "value": "The colours are off <!channel>"}}}
    answer = slack.view_submission(ids.CHECKIN_COMMENT_VIEW, text, user=BOB, team=PARTNER,
                                   private_metadata=modal["view"]["private_metadata"])
    assert answer.status == 200 and answer.body == ""
    [row] = rows(services, SurveyVote)
    assert (row.score, row.comment) == (1, "The colours are off <!channel>")
    deliver(services)
    [note] = of_kind(fake_slack, ALICE, "checkin-comment")
    assert "Bob (😞) commented" in rendered(note) and "The colours are off &lt;!channel&gt;" in rendered(note)
    empty = slack.view_submission(ids.CHECKIN_COMMENT_VIEW, {}, user=BOB, team=PARTNER,
                                  private_metadata=modal["view"]["private_metadata"])
    assert empty.json["response_action"] == "errors"
    internal = slack.view_submission(ids.CHECKIN_COMMENT_VIEW, text, private_metadata=modal["view"]["private_metadata"])
    assert "for the client" in internal.json["errors"][ids.CHECKIN_COMMENT_TEXT]
    assert len(rows(services, SurveyVote)) == 1


def test_last_milestone_brings_wrap_up_for_whole_project(slack, services, fake_slack, clock):
    start(slack, fake_slack)
    with services.sessions.begin() as session:
        launch = session.scalars(select(Milestone).where(Milestone.title == "Launch")).one()
        launch.moves.append(MilestoneMove(old_date=date(2026, 12, 2), new_date=launch.due_date, moved_by=ALICE,
                                          reason="the brand assets came late", moved_at=clock.now(),
                                          client_notified=True))
        launch.baseline_due_date = date(2026, 12, 2)
    clock.set(utc(2026, 12, 7, 10))
    slack.command('done acme-website "Launch"')
    deliver(services)
    assert "*Delivered: Launch* — 5 days after the original date" in rendered(of_kind(fake_slack, SHARED, "delivered")[1])
    tick(services, clock, utc(2026, 12, 9, 9, 59))
    assert [c.kind for c in rows(services, Checkin, Checkin.state == "sent")] == ["milestone"]
    tick(services, clock, utc(2026, 12, 9, 10))
    [wrap] = [m for m in of_kind(fake_slack, SHARED, "checkin") if "complete" in rendered(m)]
    text = rendered(wrap)
    assert "*Acme Website is complete.*" in text and "What we delivered, against the original plan" in text
    assert "*Design sign-off* — delivered <!date^" in text and "*Launch* — delivered <!date^" in text
    assert "What moved, and why" in text and "*Launch* moved <!date^" in text
    assert ": the brand assets came late" in text
    assert "How did the whole project go?" in text and f"{ids.CHECKIN_VOTE}-4" in buttons(wrap)
    vote(slack, fake_slack, wrap, 4)
    [checkin] = rows(services, Checkin, Checkin.kind == "wrap_up")
    assert [(v.checkin_id, v.score) for v in rows(services, SurveyVote)] == [(checkin.id, 4)]
