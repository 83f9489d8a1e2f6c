import json
from pathlib import Path

from tests.slackreq import ALICE, BOB, CAROL, PARTNER

FIXTURES = Path(__file__).parent / "fixtures"


def opened(user, *, tab="home"):
    event = json.loads((FIXTURES / "event_app_home_opened.json").read_text())["event"]
    return {**event, "user": user, "tab": tab}


def shown(call):
    blocks = call["view"]["blocks"]
    texts = [b["text"]["text"] for b in blocks if b.get("text")]
    texts += [e["text"] for b in blocks for e in b.get("elements", [])]
    return "\n".join(texts)


def register_two(slack):
    slack.command('add-project "Acme Website" <#C07SHARED01|x>')
    slack.command('add-milestone acme-website "Design sign-off" due=2026-11-20')
    slack.command('add-milestone acme-website "Launch" due=2026-12-18')
    slack.command('add-project "Beta App" <#C07INTERN01|y> owner=<@U0HOMEUSR2|carol>')


def test_home_shows_own_projects_first(slack, fake_slack):
    register_two(slack)
    assert slack.event(opened(ALICE)).status == 200
    [call] = fake_slack.wait_for("views.publish")
    assert call["user_id"] == ALICE and call["view"]["type"] == "home"
    text = shown(call)
    assert ":red_circle: *Acme Website* `acme-website` — Off track" in text
    assert "0/2 milestones done" in text and "Next: *Design sign-off*" in text
    assert text.index("Acme Website") < text.index("Everyone else's") < text.index("*Beta App*")


def test_home_empty_state(slack, fake_slack):
    slack.event(opened(CAROL))
    [call] = fake_slack.wait_for("views.publish")
    assert "You don't own any active project yet." in shown(call)


def test_partner_sees_nothing_internal(slack, fake_slack):
    register_two(slack)
    slack.event(opened(BOB), team=PARTNER)
    [call] = fake_slack.wait_for("views.publish")
    assert call["user_id"] == BOB
    assert "Acme" not in shown(call) and "Beta" not in shown(call)


def test_messages_tab_and_redelivery_publish_nothing_more(slack, fake_slack):
    register_two(slack)
    slack.event(opened(ALICE, tab="messages"))
    slack.event(opened(ALICE), event_id="Ev07HOMEOPEN1")
    fake_slack.wait_for("views.publish")
    slack.event(opened(ALICE), event_id="Ev07HOMEOPEN1", retry_num=1)
    slack.event(opened(CAROL))
    fake_slack.wait_for("views.publish", where=lambda a: a["user_id"] == CAROL)
    assert [c["user_id"] for c in fake_slack.calls_to("views.publish")].count(ALICE) == 1
