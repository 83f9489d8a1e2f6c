from bot import ids
from bot.models.delays import DelayAlert
from bot.models.expectations import OwedItem
from tests.expectations_support import ADD, buttons, deliver, of_kind, press, rendered, rows, tick, utc
from tests.slackreq import ALICE, BOB, INTERNAL, PARTNER, SHARED

OWE = 'owe acme-website "Brand assets" due=2026-11-25 blocks=Launch'


def start(slack):
    slack.command(ADD + ' cadence="mon 10:00" internal=<#C07INTERN01|acme-team>')
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')
    return slack.command(OWE)


def reminders(fake_slack):
    return of_kind(fake_slack, SHARED, "owed-reminder")


def test_owe_is_confirmed_and_listed_in_weekly_update(slack, services, fake_slack, clock):
    answer = start(slack)
    assert "the client owes *Brand assets*" in answer.text and "needed for *Launch*" in answer.text
    tick(services, clock, utc(2026, 11, 23, 9))
    [update] = of_kind(fake_slack, SHARED, "update")
    assert "What we need from you" in rendered(update)
    assert "*Brand assets* — due <!date^" in rendered(update) and "needed for *Launch*" in rendered(update)
    assert reminders(fake_slack) == []


def test_reminders_on_due_date_then_every_three_business_days(slack, services, fake_slack, clock):
    start(slack)
    for when, expected in [((2026, 11, 24, 8), 0), ((2026, 11, 25, 7, 59), 0), ((2026, 11, 25, 8), 1),
                           ((2026, 11, 25, 15), 1), ((2026, 11, 26, 8), 1), ((2026, 11, 27, 8), 1),
                           ((2026, 11, 30, 7, 59), 1), ((2026, 11, 30, 8), 2), ((2026, 12, 2, 8), 2),
                           ((2026, 12, 3, 8), 3)]:
        tick(services, clock, utc(*when))
        assert len(reminders(fake_slack)) == expected, when
    first = reminders(fake_slack)[0]
    assert "we need *Brand assets* from you — it is due today" in rendered(first)
    assert "*Launch* is waiting on" in rendered(first)
    assert buttons(first) == {ids.OWED_SENT: str(rows(services, OwedItem)[0].id)}
    assert "was due 5 days ago" in rendered(reminders(fake_slack)[1])


def test_reminder_past_weekly_budget_goes_in_thread(slack, services, fake_slack, clock):
    start(slack)
    slack.command("settings acme-website budget=1")
    tick(services, clock, utc(2026, 11, 23, 9))
    tick(services, clock, utc(2026, 11, 25, 8))
    [update], [reminder] = of_kind(fake_slack, SHARED, "update"), reminders(fake_slack)
    assert reminder["thread_ts"] == update["ts"]


def test_partner_sent_button_marks_received_and_raises_delay(slack, services, fake_slack, clock):
    start(slack)
    tick(services, clock, utc(2026, 11, 30, 8))
    [reminder] = reminders(fake_slack)
    update = press(slack, fake_slack, ids.OWED_SENT, buttons(reminder)[ids.OWED_SENT], user=BOB, team=PARTNER,
                   message_ts=reminder["ts"], answer_by="chat.update")
    assert update["ts"] == reminder["ts"] and "marked sent by Bob" in update["text"]
    [item] = rows(services, OwedItem)
    assert (item.state, item.received_by, item.received_via) == ("received", BOB, "client")
    deliver(services)
    [note] = of_kind(fake_slack, INTERNAL, "owed-received")
    assert "*Brand assets* is in — Bob marked it sent" in rendered(note)
    [alert] = [a for a in rows(services, DelayAlert) if a.proposal]
    assert alert.kind == "at_risk"
    assert alert.proposal == "Brand assets arrived 5 days late → delivery moves 5 days"
    again = press(slack, fake_slack, ids.OWED_SENT, buttons(reminder)[ids.OWED_SENT], user=BOB, team=PARTNER,
                  message_ts=reminder["ts"])
    assert "already marked received" in again["text"]
    tick(services, clock, utc(2026, 12, 3, 8))
    assert len(reminders(fake_slack)) == 1


def test_team_marks_received_partner_cannot(slack, services, fake_slack):
    start(slack)
    assert "Waiting on the client for: Brand assets" in slack.command("status acme-website").text
    listing = slack.command("owe acme-website")
    item_id = str(rows(services, OwedItem)[0].id)
    assert "Brand assets" in listing.text and ids.OWED_RECEIVED in listing.body
    refused = press(slack, fake_slack, ids.OWED_RECEIVED, item_id, user=BOB, team=PARTNER)
    assert "Only members of the team" in refused["text"]
    assert rows(services, OwedItem)[0].state == "open"
    done = press(slack, fake_slack, ids.OWED_RECEIVED, item_id)
    assert "marked received" in done["text"]
    [item] = rows(services, OwedItem)
    assert (item.state, item.received_by, item.received_via) == ("received", ALICE, "team")
    assert rows(services, DelayAlert) == []
    assert "owes us nothing" in slack.command("owe acme-website").text
    assert "Waiting on the client for" not in slack.command("status acme-website").text


def test_owe_bad_input_changes_nothing(slack, services):
    slack.command(ADD)
    cases = {
        'owe acme-website "Brand assets"': "For example",
        'owe acme-website "Brand assets" due=someday': "couldn't read `someday`",
        'owe acme-website "Brand assets" due=fri blocks=Nope': "no milestone `Nope`",
        'owe acme-website Brand assets due=fri': "in double quotes",
        'owe nope "Brand assets" due=fri': "There is no project",
        'owe': "Say which project",
    }
    for text, expected in cases.items():
        answer = slack.command(text)
        assert answer.status == 200 and expected in answer.text, (text, answer.text)
    assert "Only members" in slack.command('owe acme-website "X" due=fri', user=BOB, team=PARTNER).text
    assert rows(services, OwedItem) == []
