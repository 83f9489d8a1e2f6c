import json

from sqlalchemy import select

from bot.models import Milestone, Project
from tests.slackreq import BOB, GUEST, INTERNAL, PARTNER, SHARED


def rows(services, model):
    with services.sessions() as session:
        return list(session.scalars(select(model)))


def test_add_project_with_defaults(slack, services, fake_slack):
    answer = slack.command('add-project "Acme Website" <#C07SHARED01|proj-acme-partner> client="Acme Corp"')
    assert answer.status == 200
    assert answer.json["response_type"] == "ephemeral"
    assert "Registered *Acme Website* (`acme-website`)" in answer.text
    [project] = rows(services, Project)
    assert (project.slug, project.channel_id, project.owner_id) == ("acme-website", SHARED, "U0HOMEUSR1")
    assert (project.tz, project.cadence_weekday, project.cadence_time, project.respond_within) == (
        "Europe/Berlin", 0, "10:00", "1d")
    assert project.next_update_at.isoformat() == "2026-11-23T09:00:00+00:00"
    assert fake_slack.calls_to("conversations.info")[0]["channel"] == SHARED


def test_add_project_with_options(slack, services):
    answer = slack.command(
        'add-project "Beta App" <#C07SHARED01|x> tz=America/New_York cadence="fri 16:30" owner=<@U0HOMEUSR2|carol> '
        'internal=<#C07INTERN01|acme-team> respond-within=4h'
    )
    assert answer.status == 200, answer.body
    [project] = rows(services, Project)
    assert (project.tz, project.cadence_weekday, project.cadence_time) == ("America/New_York", 4, "16:30")
    assert (project.owner_id, project.internal_channel_id, project.respond_within) == ("U0HOMEUSR2", INTERNAL, "4h")


def test_bad_input_changes_nothing(slack, services):
    cases = {
        'add-project "Acme" <#C07OTHER001|not-joined>': "/invite @expect",
        'add-project "Acme" <#C0NOPE0001|gone>': "/invite @expect",
        'add-project "Acme" <#C07ARCHIVE1|old-project>': "archived",
        'add-project "Acme"': "Say which channel",
        "add-project Acme Website <#C07SHARED01|x>": "double quotes",
        'add-project "Acme" <#C07SHARED01|x> tz=Mars/Olympus': "not an IANA time zone",
        'add-project "Acme" <#C07SHARED01|x> cadence="someday 10:00"': "not a cadence",
        'add-project "Acme" <#C07SHARED01|x> cadence="mon 25:00"': "HH:MM",
        'add-project "Acme" <#C07SHARED01|x> respond-within=soon': "not a response time",
        'add-project "' + "x" * 300 + '" <#C07SHARED01|x>': "at most 200",
    }
    for text, expected in cases.items():
        answer = slack.command(text)
        assert answer.status == 200
        assert answer.json["response_type"] == "ephemeral"
        assert expected in answer.text, (text, answer.text)
        assert "For example" in answer.text or "/invite" in answer.text or "archived" in answer.text
    assert rows(services, Project) == []


def test_duplicate_project_name_refused(slack, services):
    slack.command('add-project "Acme Website" <#C07SHARED01|x>')
    answer = slack.command('add-project "acme website" <#C07INTERN01|y>')
    assert "already exists" in answer.text
    assert len(rows(services, Project)) == 1


def test_milestones_progress_and_done(slack, services):
    slack.command('add-project "Acme Website" <#C07SHARED01|x>')
    assert "Added #1 *Design sign-off*" in slack.command('add-milestone acme-website "Design sign-off" due=fri').text
    assert "Added #2" in slack.command('add-milestone "Acme Website" "Launch" due="in 2 weeks"').text
    assert "60%" in slack.command("progress acme-website #1 60%").text
    assert "is done" in slack.command('done acme-website "Launch"').text
    milestones = {m.number: m for m in rows(services, Milestone)}
    assert milestones[1].due_date.isoformat() == "2026-11-27"
    assert milestones[1].progress == 60
    assert milestones[2].due_date.isoformat() == "2026-12-07"
    assert (milestones[2].state, milestones[2].progress, milestones[2].done_by) == ("done", 100, "U0HOMEUSR1")


def test_milestone_errors(slack, services):
    slack.command('add-project "Acme Website" <#C07SHARED01|x>')
    assert "Did you mean `acme-website`" in slack.command('add-milestone acme-websit "X" due=fri').text
    assert "couldn't read `someday`" in slack.command('add-milestone acme-website "X" due=someday').text
    assert "already in the past" in slack.command('add-milestone acme-website "Old" due=2026-01-05').text
    assert "no milestone `#9`" in slack.command("progress acme-website #9 50%").text
    assert "between 0 and 100" in slack.command("progress acme-website #1 150%").text
    assert [m.title for m in rows(services, Milestone)] == ["Old"]


def test_list_and_status(slack, services):
    slack.command('add-project "Acme Website" <#C07SHARED01|x>')
    slack.command('add-milestone acme-website "Design sign-off" due=2026-11-20')
    slack.command('add-project "Beta" <#C07INTERN01|y>')
    listing = slack.command("list").text
    assert "*Acme Website*" in listing and "*Beta*" in listing
    assert ":red_circle: *Acme Website*" in listing
    status = slack.command("status acme-website").text
    assert "Off track" in status and "#1 *Design sign-off*" in status and "<!date^" in status


def test_help_and_unknown(slack):
    for text in ("", "help", "frobnicate"):
        answer = slack.command(text)
        assert answer.status == 200
        assert "add-milestone" in answer.text
    assert "I don't know `frobnicate`" in slack.command("frobnicate").text


def test_partner_and_guest_refused(slack, services, fake_slack):
    for user, team in ((BOB, PARTNER), (BOB, "T0HOME0001"), (GUEST, "T0HOME0001")):
        answer = slack.command('add-project "Sneaky" <#C07SHARED01|x>', user=user, team=team)
        assert "Only members of the team" in answer.text
    assert rows(services, Project) == []


def test_broadcast_mentions_shown_as_typed(slack, services):
    slack.command('add-project "Acme Website" <#C07SHARED01|x>')
    answer = slack.command('add-milestone acme-website "Ping <!channel> &amp; &lt;b&gt; @here" due=fri')
    [milestone] = rows(services, Milestone)
    assert milestone.title == "Ping <!channel> & <b> @here"
    assert "<!channel>" not in json.dumps(answer.json) and "Ping &lt;!channel&gt; &amp; &lt;b&gt; @here" in answer.text


def test_bad_signature_rejected(slack, services):
    answer = slack.send(b"command=%2Fexpect&text=list", "application/x-www-form-urlencoded", signature="v0=deadbeef")
    assert answer.status == 401
    stale = slack.send(b"command=%2Fexpect&text=list", "application/x-www-form-urlencoded", timestamp="1531420618")
    assert stale.status == 401


def test_healthz(server):
    import urllib.request

    with urllib.request.urlopen(f"{server}/healthz") as response:
        assert response.status == 200
