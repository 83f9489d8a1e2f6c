from bot import ids
from bot.models.expectations import KickoffCard
from tests.expectations_support import (
    ADD, buttons, deliver, of_kind, press, project_id, rendered, rows, utc,
)
from tests.slackreq import ALICE, BOB, PARTNER, SHARED


def start(slack, services, fake_slack):
    slack.command(ADD + ' cadence="mon 10:00" respond-within=4h')
    slack.command('add-milestone acme-website "Design sign-off" due=2026-11-27')
    services.dispatcher.run_once()
    [preview] = of_kind(fake_slack, ALICE, "kickoff-preview")
    return preview


def approve(slack, services, fake_slack, preview, user=ALICE, team="T0HOME0001"):
    answer = press(slack, fake_slack, ids.KICKOFF_APPROVE, buttons(preview)[ids.KICKOFF_APPROVE], user=user,
                   team=team, channel="D" + ALICE[1:], message_ts=preview["ts"])
    deliver(services)
    return answer["text"]


def test_owner_gets_preview_with_approve_button(slack, services, fake_slack):
    preview = start(slack, services, fake_slack)
    assert buttons(preview) == {ids.KICKOFF_APPROVE: str(project_id(services))}
    assert "*Preview:*" in rendered(preview) and "How to reach us" in rendered(preview)
    assert of_kind(fake_slack, SHARED, "kickoff") == []


def test_card_posted_and_pinned_on_approval(slack, services, fake_slack):
    approve(slack, services, fake_slack, start(slack, services, fake_slack))
    [card] = of_kind(fake_slack, SHARED, "kickoff")
    text = rendered(card)
    assert "How to reach us" in text and f"<@{ALICE}> leads the project" in text
    assert "Every Monday at 10:00 (Europe/Berlin time)" in text
    assert "within 4 business hours" in text and "Mon–Fri 09:00–18:00 (Europe/Berlin)" in text
    assert "#1 *Design sign-off* — <!date^" in text
    assert "Included: _to be agreed_" in text and "Not included: _to be agreed_" in text
    assert fake_slack.calls_to("pins.add") == [{"channel": SHARED, "timestamp": card["ts"]}]
    [row] = rows(services, KickoffCard)
    assert (row.state, row.ts, row.approved_by) == ("posted", card["ts"], ALICE)
    assert "approved the kickoff card" in fake_slack.calls_to("response_url")[-1]["text"]


def test_partner_cannot_approve(slack, services, fake_slack):
    answer = approve(slack, services, fake_slack, start(slack, services, fake_slack), user=BOB, team=PARTNER)
    assert "Only members of the team" in answer
    assert of_kind(fake_slack, SHARED, "kickoff") == []
    assert rows(services, KickoffCard)[0].state == "draft"


def test_second_approval_refused(slack, services, fake_slack):
    preview = start(slack, services, fake_slack)
    approve(slack, services, fake_slack, preview)
    assert "already approved" in approve(slack, services, fake_slack, preview)
    assert len(of_kind(fake_slack, SHARED, "kickoff")) == 1


def test_scope_change_noted_in_thread_and_card_updated(slack, services, fake_slack):
    approve(slack, services, fake_slack, start(slack, services, fake_slack))
    [card] = of_kind(fake_slack, SHARED, "kickoff")
    answer = slack.command('scope acme-website include="Design, build" exclude="Hosting"')
    assert "Scope of *Acme Website* updated" in answer.text
    slack.command('scope acme-website exclude="Hosting, SEO"')
    services.dispatcher.run_once()
    notes = of_kind(fake_slack, SHARED, "kickoff-change")
    assert [n["thread_ts"] for n in notes] == [card["ts"], card["ts"]]
    assert "Included: _not set_ → “Design, build”" in rendered(notes[0])
    assert "Not included: “Hosting” → “Hosting, SEO”" in rendered(notes[1])
    updates = fake_slack.calls_to("chat.update")
    assert [u["ts"] for u in updates] == [card["ts"], card["ts"]]
    [pinned] = [m for m in fake_slack.messages(SHARED) if m["ts"] == card["ts"]]
    assert "Included: Design, build" in rendered(pinned) and "Not included: Hosting, SEO" in rendered(pinned)


def test_new_milestone_and_settings_change_are_noted(slack, services, fake_slack):
    approve(slack, services, fake_slack, start(slack, services, fake_slack))
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')
    slack.command('settings acme-website cadence="fri 16:00" budget=5')
    services.dispatcher.run_once()
    notes = [rendered(n) for n in of_kind(fake_slack, SHARED, "kickoff-change")]
    assert "New milestone: *Launch*" in notes[0]
    assert "Update day: Monday → Friday" in notes[1] and "Update time: “10:00” → “16:00”" in notes[1]
    assert "budget" not in notes[1].lower()
    [card] = of_kind(fake_slack, SHARED, "kickoff")
    assert "Every Friday at 16:00" in rendered(card) and "Launch" in rendered(card)


def test_change_before_posting_goes_into_the_card(slack, services, fake_slack, clock):
    preview = start(slack, services, fake_slack)
    clock.set(utc(2026, 11, 28, 12))
    approve(slack, services, fake_slack, preview)
    slack.command('scope acme-website include="Design"')
    assert of_kind(fake_slack, SHARED, "kickoff") == []
    clock.set(utc(2026, 11, 30, 8))
    deliver(services)
    [card] = of_kind(fake_slack, SHARED, "kickoff")
    assert "Included: Design" in rendered(card)
    assert of_kind(fake_slack, SHARED, "kickoff-change") == []


def test_kickoff_command_previews_again(slack, services, fake_slack):
    start(slack, services, fake_slack)
    answer = slack.command("kickoff acme-website")
    assert "Our working agreement" in answer.text and ids.KICKOFF_APPROVE in answer.body


def test_scope_bad_input_changes_nothing(slack, services):
    slack.command(ADD)
    assert "For example" in slack.command("scope acme-website").text
    assert "There is no project" in slack.command('scope nope include="x"').text
    assert "at most 1,000" in slack.command(f'scope acme-website include="{"x" * 1200}"').text
    assert "Only members of the team" in slack.command('scope acme-website include="x"', user=BOB, team=PARTNER).text
    assert rows(services, KickoffCard)[0].state == "draft"
    from bot.models import Project
    assert rows(services, Project)[0].scope_include is None


def test_moving_channel_asks_for_approval_again(slack, services, fake_slack):
    fake_slack.add_channel("C07NEWCHAN1", "acme-new", ext_shared_with=PARTNER)
    approve(slack, services, fake_slack, start(slack, services, fake_slack))
    slack.command("settings acme-website channel=<#C07NEWCHAN1|acme-new>")
    services.dispatcher.run_once()
    assert of_kind(fake_slack, SHARED, "kickoff-change") == []
    previews = of_kind(fake_slack, ALICE, "kickoff-preview")
    assert len(previews) == 2 and "<#C07NEWCHAN1>" in rendered(previews[1])
    approve(slack, services, fake_slack, previews[1])
    [card] = of_kind(fake_slack, "C07NEWCHAN1", "kickoff")
    assert fake_slack.calls_to("pins.add")[-1] == {"channel": "C07NEWCHAN1", "timestamp": card["ts"]}
    assert rows(services, KickoffCard)[0].ts == card["ts"]
