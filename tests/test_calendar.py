from sqlalchemy import select

from bot import ids
from bot.models import Closure, Project, TimeOff, WeeklyUpdate
from bot.models.expectations import Checkin, ResponsePromise
from tests.expectations_support import (
    ADD, buttons, deliver, of_kind, press, rendered, rows, send_event, set_project, tick, utc,
)
from tests.slackreq import ALICE, BOB, CAROL, INTERNAL, PARTNER, SHARED

WITH_INTERNAL = ADD + " internal=<#C07INTERN01|acme-team>"
WINTER = 'closed acme-website from=2026-12-07 to=2026-12-20 reason="Winter break"'


def stamp(at):
    return f"<!date^{int(at.timestamp())}^"


def project(services):
    with services.sessions() as session:
        return session.scalars(select(Project)).first()


def updates(fake_slack):
    return of_kind(fake_slack, SHARED, "update")


def partner_message(fake_slack, text="Could you send the staging link?"):
    stored = fake_slack.add_message(SHARED, text, user=BOB)
    return {"type": "message", "channel": SHARED, "user": BOB, "text": text, "ts": stored["ts"], "team": PARTNER,
            "user_team": PARTNER, "channel_type": "channel", "event_ts": stored["ts"]}


def test_holidays_default_from_zone_and_said_in_reply(slack):
    answer = slack.command('add-project "Kyiv Site" <#C07SHARED01|proj-acme-partner> tz=Europe/Kyiv')
    assert "Public holidays of `UA` are days off" in answer.text
    answer = slack.command('add-project "Utc Site" <#C07SHARED01|proj-acme-partner> tz=UTC')
    assert "No public holidays are counted" in answer.text
    slack.command('add-project "Barcelona" <#C07SHARED01|proj-acme-partner> tz=Europe/Madrid holidays=es-ct')
    slack.command('add-project "Off" <#C07SHARED01|proj-acme-partner> tz=Europe/Madrid holidays=off')
    assert "holidays `ES-CT`" in slack.command("settings barcelona").text
    assert "holidays `off`" in slack.command("settings off").text
    assert "closed &lt;project&gt;|all" in slack.command("help").text and "away @user" in slack.command("help").text


def test_unknown_codes_refused_and_nothing_changes(slack, services):
    answer = slack.command(ADD + " holidays=XX")
    assert "I don't know the country `XX`" in answer.text and "`holidays=ES-CT`" in answer.text
    assert rows(services, Project) == []
    slack.command(ADD)
    answer = slack.command("settings acme-website holidays=ES-ZZ cadence=\"fri 16:00\"")
    assert "`ES` has no subdivision `ZZ`" in answer.text and "`ES-AN`" in answer.text
    assert (project(services).holidays, project(services).cadence_weekday) == ("DE", 0)
    assert "Updated" in slack.command("settings acme-website holidays=ES-CT").text
    assert project(services).holidays == "ES-CT"


def test_unknown_holiday_code_in_modal_refused(slack, services):
    from tests.test_modal import values
    answer = slack.view_submission(ids.ADD_PROJECT_VIEW, values(**{
        ids.ADD_PROJECT_HOLIDAYS: {"type": "plain_text_input", "value": "ZZ"}}))
    assert "I don't know the country `ZZ`" in answer.json["errors"][ids.ADD_PROJECT_HOLIDAYS]
    assert rows(services, Project) == []


def test_update_on_public_holiday_held_to_next_working_day(slack, services, fake_slack, clock):
    clock.set(utc(2026, 12, 19, 12))
    slack.command(ADD + ' cadence="fri 10:00"')
    christmas_morning, monday_opening = utc(2026, 12, 25, 9), utc(2026, 12, 28, 8)
    assert project(services).next_update_at == monday_opening
    tick(services, clock, christmas_morning)
    tick(services, clock, utc(2026, 12, 28, 7, 59))
    assert updates(fake_slack) == []
    tick(services, clock, monday_opening)
    tick(services, clock, utc(2026, 12, 28, 9))
    assert len(updates(fake_slack)) == 1
    assert [u.period_key for u in rows(services, WeeklyUpdate)] == ["2026-12-28"]
    assert project(services).next_update_at == utc(2027, 1, 4, 8)


def test_iran_week_and_holidays(slack, services, fake_slack, clock):
    clock.set(utc(2026, 12, 19, 12))
    answer = slack.command('add-project "Tehran" <#C07SHARED01|proj-acme-partner> tz=Asia/Tehran cadence="wed 10:00"')
    assert "Public holidays of `IR`" in answer.text
    slack.command("settings tehran days=sat-wed")
    saturday_opening = utc(2026, 12, 26, 5, 30)
    assert project(services).next_update_at == saturday_opening
    tick(services, clock, utc(2026, 12, 23, 6, 30))
    tick(services, clock, utc(2026, 12, 25, 6, 30))
    assert updates(fake_slack) == []
    tick(services, clock, saturday_opening)
    assert len(updates(fake_slack)) == 1
    assert project(services).next_update_at == utc(2026, 12, 30, 6, 30)


def test_closure_pauses_updates_and_update_before_says_when_they_resume(slack, services, fake_slack, clock):
    slack.command(ADD + ' cadence="mon 10:00"')
    answer = slack.command(WINTER)
    assert "Closed Mon 7 Dec 2026 – Sun 20 Dec 2026 (Winter break): *Acme Website*" in answer.text
    tick(services, clock, utc(2026, 11, 23, 9))
    assert "closed" not in rendered(updates(fake_slack)[0])
    tick(services, clock, utc(2026, 11, 30, 9))
    before = rendered(updates(fake_slack)[1])
    resume = utc(2026, 12, 21, 8)
    assert "We're closed" in before and "(Winter break)" in before
    assert f"the next one comes {stamp(resume)}" in before
    for when in (utc(2026, 12, 7, 9), utc(2026, 12, 14, 9), utc(2026, 12, 21, 7, 59)):
        tick(services, clock, when)
    assert len(updates(fake_slack)) == 2
    tick(services, clock, resume)
    assert len(updates(fake_slack)) == 3
    assert "We're closed" not in rendered(updates(fake_slack)[2])


def test_closures_listed_removed_and_shown_in_status(slack, services):
    slack.command(ADD)
    slack.command('add-project "Beta" <#C07SHARED01|proj-acme-partner> tz=Europe/Berlin')
    answer = slack.command('closed all from=2026-12-24 to=2027-01-01 reason="Holidays"')
    assert "*Acme Website*, *Beta*" in answer.text
    slack.command("closed acme-website from=2027-02-01 to=2027-02-05")
    listed = slack.command("closed acme-website").text
    assert "1. <!date^" in listed and "— Holidays" in listed and "2. <!date^" in listed
    assert "Closures:" in slack.command("status acme-website").text
    assert "remove=&lt;n&gt;" in listed
    assert "Removed the closure Mon 1 Feb 2027" in slack.command("closed acme-website remove=2").text
    assert "no closure number 5" in slack.command("closed acme-website remove=5").text
    assert len(rows(services, Closure)) == 2


def test_status_shows_a_closure_until_its_last_day_ends_where_the_project_is(slack, clock):
    slack.command('add-project "Acme Website" <#C07SHARED01|proj-acme-partner> tz=Pacific/Pago_Pago')
    slack.command("closed acme-website from=2026-11-23 to=2026-11-23")
    clock.set(utc(2026, 11, 24, 10, 59))
    assert "Closures:" in slack.command("status acme-website").text
    clock.set(utc(2026, 11, 24, 11))
    assert "Closures:" not in slack.command("status acme-website").text


def test_closed_bad_input_refused(slack, services):
    slack.command(ADD)
    assert "ends" in slack.command("closed acme-website from=2026-12-10 to=2026-12-01").text
    assert "I don't know `until=`" in slack.command("closed acme-website from=2026-12-01 until=2026-12-04").text
    assert "`from=` and `to=`" in slack.command("closed acme-website from=2026-12-10").text
    assert "`all` needs the days" in slack.command("closed all").text
    assert rows(services, Closure) == []


def test_kickoff_card_lists_closed_days_and_closure_noted_in_thread(slack, services, fake_slack, clock):
    clock.set(utc(2026, 12, 1, 9))
    slack.command(ADD)
    slack.command(WINTER)
    services.dispatcher.run_once()
    [preview] = of_kind(fake_slack, ALICE, "kickoff-preview")
    press(slack, fake_slack, ids.KICKOFF_APPROVE, buttons(preview)[ids.KICKOFF_APPROVE],
          channel="D" + ALICE[1:], message_ts=preview["ts"])
    deliver(services)
    [card] = of_kind(fake_slack, SHARED, "kickoff")
    text = rendered(card)
    assert "Days we're closed (next 90 days)" in text
    assert "— Christmas Day" in text and "— Winter break" in text and "New Year's Day" in text
    slack.command('closed acme-website from=2027-02-01 to=2027-02-05 reason="Offsite"')
    deliver(services)
    [note] = of_kind(fake_slack, SHARED, "kickoff-change")
    assert note["thread_ts"] == card["ts"]
    assert "We're closed" in rendered(note) and "(Offsite)" in rendered(note)


def test_promise_deadline_skips_holiday_and_closure(slack, services, fake_slack, clock):
    slack.command(ADD + " respond-within=4h internal=<#C07INTERN01|acme-team>")
    slack.command("closed acme-website from=2026-12-28 to=2026-12-31")
    clock.set(utc(2026, 12, 24, 15))
    send_event(slack, services, partner_message(fake_slack), ext_shared=True)
    set_project(services, respond_within="1d")
    send_event(slack, services, partner_message(fake_slack, "And the invoice?"), ext_shared=True)
    four_hours, one_day = rows(services, ResponsePromise)
    assert (four_hours.deadline, four_hours.warn_at) == (utc(2027, 1, 4, 10), utc(2027, 1, 4, 9))
    assert one_day.deadline == utc(2027, 1, 4, 15)
    tick(services, clock, utc(2026, 12, 29, 9))
    assert of_kind(fake_slack, INTERNAL, "promise-warning") == []
    tick(services, clock, utc(2027, 1, 4, 9))
    assert len(of_kind(fake_slack, INTERNAL, "promise-warning")) == 1


def test_promise_reply_during_closure_says_when_team_is_back(slack, services, fake_slack, clock):
    slack.command(ADD + " respond-within=4h")
    slack.command("closed acme-website from=2026-12-28 to=2026-12-31")
    clock.set(utc(2026, 12, 29, 10))
    send_event(slack, services, partner_message(fake_slack), ext_shared=True)
    deliver(services)
    [reply] = of_kind(fake_slack, SHARED, "promise-ack")
    assert "we're away until <!date^" in rendered(reply) and "Mon 4 Jan 2027" in rendered(reply)
    assert f"we'll get back to you by {stamp(utc(2027, 1, 4, 12))}" in rendered(reply)


def test_checkin_moved_past_closed_days(slack, services, fake_slack, clock):
    slack.command(ADD)
    slack.command('add-milestone acme-website "Design sign-off" due=2026-11-27')
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')
    slack.command("closed acme-website from=2026-11-24 to=2026-11-25")
    slack.command('done acme-website "Design sign-off"')
    [checkin] = rows(services, Checkin)
    assert checkin.due_at == utc(2026, 11, 27, 8)
    tick(services, clock, utc(2026, 11, 25, 8))
    tick(services, clock, utc(2026, 11, 27, 7, 59))
    assert of_kind(fake_slack, SHARED, "checkin") == []
    tick(services, clock, utc(2026, 11, 27, 8))
    assert len(of_kind(fake_slack, SHARED, "checkin")) == 1


def test_owed_reminder_moved_past_closed_days(slack, services, fake_slack, clock):
    slack.command(WITH_INTERNAL)
    slack.command('owe acme-website "Brand assets" due=2026-11-25')
    slack.command("closed acme-website from=2026-11-25 to=2026-11-27")
    for when, expected in [((2026, 11, 25, 8), 0), ((2026, 11, 27, 8), 0), ((2026, 11, 30, 7, 59), 0),
                           ((2026, 11, 30, 8), 1), ((2026, 12, 2, 8), 1), ((2026, 12, 3, 8), 2)]:
        tick(services, clock, utc(*when))
        assert len(of_kind(fake_slack, SHARED, "owed-reminder")) == expected, when
    assert "was due 5 days ago" in rendered(of_kind(fake_slack, SHARED, "owed-reminder")[0])


def test_owner_dms_go_to_backup_while_away(slack, services, fake_slack, clock):
    slack.command(WITH_INTERNAL + ' cadence="wed 10:00"')
    answer = slack.command(f"away <@{ALICE}> from=2026-11-23 to=2026-11-27 backup=<@{CAROL}>")
    assert f"<@{ALICE}> is away" in answer.text and f"go to <@{CAROL}>" in answer.text
    tick(services, clock, utc(2026, 11, 24, 9))
    assert of_kind(fake_slack, ALICE, "preview") == []
    [preview] = of_kind(fake_slack, CAROL, "preview")
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')
    slack.command('delay acme-website Launch to=2026-12-11 reason="Waiting on hosting" urgent')
    deliver(services)
    [notice] = of_kind(fake_slack, SHARED, "delay_notice")
    assert f"Questions? Ask <@{CAROL}>" in rendered(notice)
    assert f"<@{ALICE}>" in slack.command("away").text
    slack.command(f"back <@{ALICE}>")
    assert [t.end_date.isoformat() for t in rows(services, TimeOff)] == ["2026-11-23"]
    tick(services, clock, utc(2026, 11, 25, 9))
    tick(services, clock, utc(2026, 12, 1, 9))
    assert len(of_kind(fake_slack, ALICE, "preview")) == 1


def test_required_approval_falls_back_to_internal_channel(slack, services, fake_slack, clock):
    slack.command(WITH_INTERNAL + ' cadence="wed 10:00"')
    slack.command("settings acme-website approval=required")
    slack.command(f"away <@{ALICE}> from=2026-11-23 to=2026-11-27")
    tick(services, clock, utc(2026, 11, 24, 9))
    [preview] = of_kind(fake_slack, INTERNAL, "preview")
    tick(services, clock, utc(2026, 11, 25, 9))
    assert len(of_kind(fake_slack, INTERNAL, "approval-reminder")) == 1
    assert of_kind(fake_slack, ALICE, "preview") == of_kind(fake_slack, ALICE, "approval-reminder") == []
    press(slack, fake_slack, ids.UPDATE_APPROVE, buttons(preview)[ids.UPDATE_APPROVE], user=CAROL,
          channel=INTERNAL, message_ts=preview["ts"])
    deliver(services)
    assert len(updates(fake_slack)) == 1


def test_away_bad_input_refused(slack, services):
    assert "Nobody is away" in slack.command("away").text
    assert "not a person" in slack.command("away alice from=2026-12-01 to=2026-12-04").text
    assert "their own backup" in slack.command(f"away <@{ALICE}> from=2026-12-01 to=2026-12-04 backup=<@{ALICE}>").text
    assert "I don't know `until=`" in slack.command(f"away <@{ALICE}> from=2026-12-01 until=2026-12-04").text
    assert rows(services, TimeOff) == []


def test_app_home_shows_who_is_away(slack, fake_slack):
    from tests.test_home import opened, shown
    slack.command(ADD)
    slack.command(f"away <@{ALICE}> from=2026-11-23 to=2026-11-27 backup=<@{CAROL}>")
    slack.event(opened(CAROL))
    [call] = fake_slack.wait_for("views.publish")
    assert f"<@{ALICE}> Mon 23 Nov 2026 – Fri 27 Nov 2026 · backup <@{CAROL}>" in shown(call)


def test_zone_change_moves_default_holidays(slack, services):
    slack.command(ADD)
    slack.command("settings acme-website tz=Europe/Kyiv")
    assert project(services).holidays == "UA"
    slack.command("settings acme-website holidays=ES-CT tz=Europe/Berlin")
    slack.command("settings acme-website tz=Europe/Madrid")
    assert project(services).holidays == "ES-CT"


def test_closure_reason_is_shown_not_obeyed(slack, services, fake_slack, clock):
    slack.command(ADD + ' cadence="mon 10:00"')
    slack.command('closed acme-website from=2026-12-07 to=2026-12-20 reason="<!channel> *party* <https://x.test|hi>"')
    tick(services, clock, utc(2026, 11, 23, 9))
    tick(services, clock, utc(2026, 11, 30, 9))
    text = rendered(updates(fake_slack)[1])
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text and "<https://x.test" not in text
