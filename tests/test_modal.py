from sqlalchemy import select

from bot import ids
from bot.models import Project
from tests.slackreq import ALICE, BOB, OTHER, PARTNER, SHARED


def values(name="Acme Website", channel=SHARED, **extra):
    state = {
        ids.ADD_PROJECT_NAME: {"type": "plain_text_input", "value": name},
        ids.ADD_PROJECT_CHANNEL: {"type": "conversations_select", "selected_conversation": channel},
        ids.ADD_PROJECT_CLIENT: {"type": "plain_text_input", "value": "Acme Corp"},
        ids.ADD_PROJECT_TZ: {"type": "static_select", "selected_option": {"value": "America/New_York"}},
        ids.ADD_PROJECT_WEEKDAY: {"type": "static_select", "selected_option": {"value": "4"}},
        ids.ADD_PROJECT_TIME: {"type": "timepicker", "selected_time": "16:30"},
        ids.ADD_PROJECT_OWNER: {"type": "users_select", "selected_user": None},
        ids.ADD_PROJECT_INTERNAL: {"type": "conversations_select", "selected_conversation": None},
        ids.ADD_PROJECT_RESPOND: {"type": "static_select", "selected_option": {"value": "4h"}},
        **extra,
    }
    return {block_id: {block_id: element} for block_id, element in state.items()}


def projects(services):
    with services.sessions() as session:
        return list(session.scalars(select(Project)))


def test_add_project_without_arguments_opens_modal(slack, fake_slack):
    answer = slack.command("add-project")
    assert answer.status == 200
    [call] = fake_slack.wait_for("views.open")
    assert call["view"]["callback_id"] == ids.ADD_PROJECT_VIEW
    assert call["trigger_id"]
    blocks = [b["block_id"] for b in call["view"]["blocks"]]
    assert ids.ADD_PROJECT_NAME in blocks and ids.ADD_PROJECT_CHANNEL in blocks


def test_valid_submission_creates_project_and_dms_creator(slack, services, fake_slack):
    answer = slack.view_submission(ids.ADD_PROJECT_VIEW, values())
    assert answer.status == 200 and answer.body == ""
    [project] = projects(services)
    assert (project.name, project.slug, project.channel_id, project.owner_id) == (
        "Acme Website", "acme-website", SHARED, ALICE)
    assert (project.tz, project.cadence_weekday, project.cadence_time, project.respond_within) == (
        "America/New_York", 4, "16:30", "4h")
    [dm] = fake_slack.wait_for("chat.postMessage", where=lambda a: "Registered" in a["text"])
    assert dm["channel"] == "D" + ALICE[1:]
    assert "Registered *Acme Website*" in dm["text"]


def test_channel_bot_is_not_in_is_an_error_on_channel_block(slack, services):
    answer = slack.view_submission(ids.ADD_PROJECT_VIEW, values(channel=OTHER))
    assert answer.json["response_action"] == "errors"
    assert list(answer.json["errors"]) == [ids.ADD_PROJECT_CHANNEL]
    assert "/invite @expect" in answer.json["errors"][ids.ADD_PROJECT_CHANNEL]
    assert projects(services) == []


def test_duplicate_name_is_an_error_on_name_block(slack, services):
    slack.command('add-project "Acme Website" <#C07SHARED01|x>')
    answer = slack.view_submission(ids.ADD_PROJECT_VIEW, values(name="acme website"))
    assert answer.json["response_action"] == "errors"
    assert "already exists" in answer.json["errors"][ids.ADD_PROJECT_NAME]
    assert len(projects(services)) == 1


def test_partner_submission_refused(slack, services, fake_slack):
    answer = slack.view_submission(ids.ADD_PROJECT_VIEW, values(), user=BOB, team=PARTNER)
    assert answer.json["response_action"] == "errors"
    assert "Only members of the team" in answer.json["errors"][ids.ADD_PROJECT_NAME]
    assert projects(services) == []
    assert fake_slack.calls_to("chat.postMessage") == []
