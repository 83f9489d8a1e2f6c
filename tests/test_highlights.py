import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import ids
from bot.models import Project
from bot.models.trackers import UpdateItem
from tests.expectations_support import of_kind, rendered, tick
from tests.slackreq import ALICE, BOB, CAROL, INTERNAL, PARTNER, SHARED

ADD = ('add-project "Acme Website" <#C07SHARED01|proj-acme-partner> client="Acme Corp" tz=Europe/Berlin '
       'cadence="wed 10:00" internal=<#C07INTERN01|acme-team>')
PREVIEW_AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
UPDATE_AT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def project(slack, services):
    assert "Registered" in slack.command(ADD).text


def reaction(kind, ts, *, user=CAROL, emoji="star", channel=INTERNAL, team=None):
    event = {"type": kind, "user": user, "reaction": emoji, "item_user": ALICE,
             "item": {"type": "message", "channel": channel, "ts": ts}, "event_ts": f"{time.time():.6f}"}
    if team:
        event["user_team"] = team
    return event


def items(services):
    with services.sessions() as session:
        return list(session.scalars(select(UpdateItem.text).order_by(UpdateItem.id)))


def test_a_starred_internal_message_reaches_the_update(slack, services, fake_slack, clock, project):
    starred = fake_slack.add_message(INTERNAL, "Shipped the *new* checkout &lt;3", user=ALICE)["ts"]
    other = fake_slack.add_message(INTERNAL, "Lunch?", user=ALICE)["ts"]
    assert slack.event(reaction("reaction_added", starred), event_id="Ev1").status == 200
    assert slack.event(reaction("reaction_added", starred), event_id="Ev1").status == 200
    assert slack.event(reaction("reaction_added", other, emoji="tada"), event_id="Ev2").status == 200
    assert items(services) == ["Shipped the *new* checkout <3"]
    tick(services, clock, PREVIEW_AT)
    [preview] = of_kind(fake_slack, ALICE, "preview")
    assert "*Highlights*\n:star: Shipped the ∗new∗ checkout &lt;3" in rendered(preview)
    assert list(menu(preview)) == ["Hide", "Edit"]
    tick(services, clock, UPDATE_AT)
    [post] = of_kind(fake_slack, SHARED, "update")
    assert "Shipped the" in rendered(post) and "Lunch" not in rendered(post)


def test_unstarring_removes_the_highlight(slack, services, fake_slack, project):
    ts = fake_slack.add_message(INTERNAL, "Demo went well", user=ALICE)["ts"]
    slack.event(reaction("reaction_added", ts))
    assert items(services) == ["Demo went well"]
    slack.event(reaction("reaction_removed", ts))
    assert items(services) == []


def test_partners_stars_and_other_channels_do_not_count(slack, services, fake_slack, project):
    ts = fake_slack.add_message(INTERNAL, "Internal note", user=ALICE)["ts"]
    shared = fake_slack.add_message(SHARED, "Client message", user=BOB)["ts"]
    slack.event(reaction("reaction_added", ts, user=BOB, team=PARTNER))
    slack.event(reaction("reaction_added", shared))
    assert items(services) == []


def test_the_emoji_is_a_project_setting(slack, services, fake_slack, project):
    assert "highlights starred with :trophy:" in slack.command("settings acme-website highlight=:trophy:").text
    assert "give an emoji name" in slack.command("settings acme-website highlight=<b>").text
    ts = fake_slack.add_message(INTERNAL, "Passed the audit", user=ALICE)["ts"]
    slack.event(reaction("reaction_added", ts))
    assert items(services) == []
    slack.event(reaction("reaction_added", ts, emoji="trophy::skin-tone-3"))
    assert items(services) == ["Passed the audit"]
    with services.sessions() as session:
        assert session.scalar(select(Project.highlight_emoji)) == "trophy"


def star(slack, fake_slack, ts, user, *, removed=False, team=None):
    fake_slack.react(INTERNAL, ts, "star", user=user, remove=removed)
    kind = "reaction_removed" if removed else "reaction_added"
    assert slack.event(reaction(kind, ts, user=user, team=team)).status == 200


def test_the_highlight_stays_while_a_team_members_star_remains(slack, services, fake_slack, project):
    ts = fake_slack.add_message(INTERNAL, "Launched the beta", user=ALICE)["ts"]
    star(slack, fake_slack, ts, ALICE)
    star(slack, fake_slack, ts, CAROL)
    star(slack, fake_slack, ts, BOB, team=PARTNER)
    fake_slack.react(INTERNAL, ts, "star", user=fake_slack.bot_user_id)
    star(slack, fake_slack, ts, CAROL, removed=True)
    assert items(services) == ["Launched the beta"]
    star(slack, fake_slack, ts, BOB, removed=True, team=PARTNER)
    assert items(services) == ["Launched the beta"]
    star(slack, fake_slack, ts, BOB, team=PARTNER)
    star(slack, fake_slack, ts, ALICE, removed=True)
    assert items(services) == []
    star(slack, fake_slack, ts, CAROL)
    assert items(services) == ["Launched the beta"]


def menu(message):
    return {option["text"]["text"]: option["value"] for block in message.get("blocks", [])
            if (block.get("accessory") or {}).get("action_id") == ids.UPDATE_ITEM_MENU
            for option in block["accessory"]["options"]}


def typed(text):
    return {ids.UPDATE_ITEM_TEXT: {ids.UPDATE_ITEM_TEXT: {"type": "plain_text_input", "value": text}}}


def item(services):
    with services.sessions() as session:
        return session.scalars(select(UpdateItem)).one()


def test_the_owner_rewords_a_highlight_in_the_preview(slack, services, fake_slack, clock, project):
    ts = fake_slack.add_message(INTERNAL, "shipped checkout v2 finally!!", user=ALICE)["ts"]
    star(slack, fake_slack, ts, CAROL)
    tick(services, clock, PREVIEW_AT)
    [preview] = of_kind(fake_slack, ALICE, "preview")
    choices = menu(preview)
    assert list(choices) == ["Hide", "Edit"]
    assert slack.button(ids.UPDATE_ITEM_MENU, choices["Edit"], user=BOB, team=PARTNER, overflow=True).status == 200
    assert "Only members of the team" in fake_slack.wait_for("response_url")[-1]["text"]
    assert fake_slack.calls_to("views.open") == []
    slack.button(ids.UPDATE_ITEM_MENU, choices["Edit"], overflow=True)
    [opened] = fake_slack.wait_for("views.open")
    view = opened["view"]
    assert view["callback_id"] == ids.UPDATE_ITEM_EDIT_VIEW
    assert view["blocks"][0]["element"]["initial_value"] == "shipped checkout v2 finally!!"
    sealed = view["private_metadata"]
    refusals = [
        (typed("   "), sealed, {}, "Write the highlight"),
        (typed("x" * 1001), sealed, {}, "at most 1,000 characters"),
        (typed("Fine"), json.dumps({"update": 1, "item": item(services).id}), {}, "doesn't belong"),
        (typed("Fine"), sealed, {"user": BOB, "team": PARTNER}, "Only members of the team"),
    ]
    for values, metadata, who, words in refusals:
        answer = slack.view_submission(ids.UPDATE_ITEM_EDIT_VIEW, values, private_metadata=metadata, **who)
        assert answer.json["response_action"] == "errors" and words in answer.json["errors"][ids.UPDATE_ITEM_TEXT]
        assert (item(services).text, item(services).original_text) == ("shipped checkout v2 finally!!", None)
    answer = slack.view_submission(ids.UPDATE_ITEM_EDIT_VIEW, typed(" Checkout v2 is *live* <!channel> & fast "),
                                   private_metadata=sealed)
    assert answer.status == 200 and answer.body in ("", "{}")
    edited = item(services)
    assert (edited.text, edited.original_text, edited.edited_by) == (
        "Checkout v2 is *live* <!channel> & fast", "shipped checkout v2 finally!!", ALICE)
    refreshed = fake_slack.wait_for("response_url", 2)[-1]
    assert refreshed["replace_original"] is True
    assert ":star: Checkout v2 is ∗live∗ &lt;!channel&gt; &amp; fast" in json.dumps(refreshed, ensure_ascii=False)
    tick(services, clock, UPDATE_AT)
    [post] = of_kind(fake_slack, SHARED, "update")
    assert "*Highlights*\n:star: Checkout v2 is ∗live∗ &lt;!channel&gt; &amp; fast" in rendered(post)
    assert "finally" not in rendered(post) and "<!channel>" not in rendered(post)


def test_the_menu_hides_a_highlight(slack, services, fake_slack, clock, project):
    ts = fake_slack.add_message(INTERNAL, "Internal-only joke", user=ALICE)["ts"]
    star(slack, fake_slack, ts, CAROL)
    tick(services, clock, PREVIEW_AT)
    [preview] = of_kind(fake_slack, ALICE, "preview")
    assert slack.button(ids.UPDATE_ITEM_MENU, menu(preview)["Hide"], overflow=True).status == 200
    assert item(services).hidden
    assert slack.button(ids.UPDATE_ITEM_MENU, "delete:1:1", overflow=True).status == 200
    assert "no longer points" in fake_slack.wait_for("response_url", 2)[-1]["text"]
    tick(services, clock, UPDATE_AT)
    assert "joke" not in rendered(of_kind(fake_slack, SHARED, "update")[0])


def edited(ts, text):
    return {"type": "message", "subtype": "message_changed", "channel": INTERNAL, "hidden": True,
            "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}",
            "message": {"type": "message", "user": ALICE, "text": text, "ts": ts,
                        "edited": {"user": ALICE, "ts": f"{time.time():.6f}"}},
            "previous_message": {"type": "message", "user": ALICE, "text": "before", "ts": ts}}


def deleted(ts):
    return {"type": "message", "subtype": "message_deleted", "channel": INTERNAL, "hidden": True, "deleted_ts": ts,
            "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}",
            "previous_message": {"type": "message", "user": ALICE, "text": "before", "ts": ts}}


def test_a_highlight_follows_its_messages_edits_and_deletion(slack, services, fake_slack, clock, project):
    first = fake_slack.add_message(INTERNAL, "Demo on Frday", user=ALICE)["ts"]
    second = fake_slack.add_message(INTERNAL, "Audit passd", user=ALICE)["ts"]
    star(slack, fake_slack, first, CAROL)
    star(slack, fake_slack, second, CAROL)
    tick(services, clock, PREVIEW_AT)
    choices = menu(of_kind(fake_slack, ALICE, "preview")[0])
    slack.button(ids.UPDATE_ITEM_MENU, [v for k, v in choices.items() if k == "Edit"][-1], overflow=True)
    sealed = fake_slack.wait_for("views.open")[0]["view"]["private_metadata"]
    slack.view_submission(ids.UPDATE_ITEM_EDIT_VIEW, typed("We passed the security audit"), private_metadata=sealed)
    assert slack.event(edited(first, "Demo on Friday &lt;3")).status == 200
    assert slack.event(edited(second, "Audit passed")).status == 200
    assert items(services) == ["Demo on Friday <3", "We passed the security audit"]
    assert slack.event(deleted(first)).status == 200
    assert items(services) == ["We passed the security audit"]


def test_a_queued_update_not_yet_sent_drops_a_deleted_highlight(slack, services, fake_slack, clock, project):
    kept = fake_slack.add_message(INTERNAL, "Search is twice as fast", user=ALICE)["ts"]
    gone = fake_slack.add_message(INTERNAL, "Oops, wrong client", user=ALICE)["ts"]
    star(slack, fake_slack, kept, CAROL)
    star(slack, fake_slack, gone, CAROL)
    tick(services, clock, PREVIEW_AT)
    fake_slack.fail_next("chat.postMessage", retry_after=600)
    tick(services, clock, UPDATE_AT)
    assert of_kind(fake_slack, SHARED, "update") == []
    assert slack.event(deleted(gone)).status == 200
    tick(services, clock, UPDATE_AT + timedelta(hours=1))
    [post] = of_kind(fake_slack, SHARED, "update")
    assert "Search is twice as fast" in rendered(post) and "wrong client" not in rendered(post)
