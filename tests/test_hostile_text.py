import json
import re

from bot import ids
from bot.models import Project, WeeklyUpdate
from bot.models.delays import DelayAlert
from bot.models.expectations import OwedItem
from tests.expectations_support import (
    FIXTURES, buttons, deliver, eventually, of_kind, press, rows, send_event, tick, utc,
)
from tests.slackreq import ALICE, BOB, INTERNAL, PARTNER, SHARED

ALLOWED_MENTIONS = {f"@{ALICE}", f"@{BOB}", f"#{SHARED}", f"#{INTERNAL}"}
TOKEN = re.compile(r"<([^<>]*)>")
SPOOFS = ("*FREE*", "_urgent_", "~gone~", "`rm -rf`", "&amp;amp;", "&amp;lt;")
LINK = "<https://evil.example/login|Click me>"
NAME = f"Acme <!channel> *FREE* {LINK}"
CLIENT = "Evil &lt;!here|here&gt; _urgent_ <!subteam^s999>"
TITLES = ["Launch ~gone~ <@U0EVIL0001> &lt;!channel|", "R&amp;D <#C0EVIL0001> `rm -rf`"]
LONG_TITLES = [f"M{i:02d} " + "a&amp;b <!here> " * 13 for i in range(18)]
SCOPE = 'include="Design &lt;!here|" exclude="x&gt; Hosting <https://x|y>"'
HOSTILE = f"<!channel> {LINK} *FREE* <@U0EVIL0001> <mailto:a@evil.example|mail> &lt;b&gt;"
TYPED = HOSTILE.replace("&lt;b&gt;", "<b> & <!subteam^s999>")
PARTNER_NAME = f"<!channel> {LINK}"


def strings(value, key=None):
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return
        for k, v in value.items():
            if k not in ("private_metadata", "metadata", "value", "initial_value", "_name"):
                yield from strings(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, key)
    elif isinstance(value, str):
        yield key, value


def mrkdwn_texts(value):
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            yield value["text"]
        for v in value.values():
            yield from mrkdwn_texts(v)
    elif isinstance(value, list):
        for item in value:
            yield from mrkdwn_texts(item)


def assert_only_template_markup(fake_slack, answers):
    sent = [(call["method"], call["args"]) for call in fake_slack.calls if call["method"] in (
        "chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.update", "views.push",
        "views.publish", "response_url")]
    sent += [("answer", answer.json) for answer in answers if answer.body.startswith("{")]
    assert len(sent) > 20
    for method, args in sent:
        for _, text in strings(args):
            planted = [t for t in TOKEN.findall(text) if not t.startswith("!date^") and t not in ALLOWED_MENTIONS]
            assert not planted, (method, planted, text[:300])
            assert not [s for s in SPOOFS if s in text], (method, text[:300])
        for text in mrkdwn_texts(args):
            outside = re.sub(r"^> ", "", TOKEN.sub("", text), flags=re.M)
            assert len(text) <= 3000 and "<" not in outside and ">" not in outside, (method, text[:100], text[-100:])
            assert not re.search(r"&(?!amp;|lt;|gt;)|^(mp|p|t);", text), (method, text[:100], text[-100:])
    return sent


def command(slack, answers, text, **kwargs):
    answer = slack.command(text, **kwargs)
    assert answer.status == 200
    answers.append(answer)
    return answer


def test_team_text_is_shown_never_parsed(slack, services, fake_slack, clock):
    answers = []
    command(slack, answers, f'add-project "{NAME}" <#C07SHARED01|proj> client="{CLIENT}" '
                            "internal=<#C07INTERN01|team> tz=Europe/Berlin")
    [project] = rows(services, Project)
    slug = project.slug
    for title in [*TITLES, *LONG_TITLES]:
        command(slack, answers, f'add-milestone {slug} "{title}" due=2026-12-04')
    command(slack, answers, f"scope {slug} {SCOPE}")
    deliver(services)
    [preview] = of_kind(fake_slack, ALICE, "kickoff-preview")
    press(slack, fake_slack, ids.KICKOFF_APPROVE, buttons(preview)[ids.KICKOFF_APPROVE],
          channel="D" + ALICE[1:], message_ts=preview["ts"])
    deliver(services)
    assert of_kind(fake_slack, SHARED, "kickoff")
    command(slack, answers, f'scope {slug} include="x {"&amp;" * 990}"')
    command(slack, answers, f'closed {slug} from=2026-12-24 to=2026-12-26 reason="{HOSTILE}"')
    command(slack, answers, f'owe {slug} "Logo <#C0EVIL0001> *FREE*" due=2026-11-23 blocks=#3')
    command(slack, answers, f'risk {slug} #1 "{HOSTILE}"')
    deliver(services)
    [alert] = rows(services, DelayAlert)
    press(slack, fake_slack, ids.DELAY_ALERT_NOTIFY, str(alert.id), channel=INTERNAL, message_ts=alert.ts,
          answer_by="views.open")
    compose = {block: {block: {"type": "plain_text_input", "value": TYPED}}
               for block in (ids.DELAY_NOTIFY_REASON, ids.DELAY_NOTIFY_IMPACT, ids.DELAY_NOTIFY_NEEDS)}
    compose[ids.DELAY_NOTIFY_DATE] = {ids.DELAY_NOTIFY_DATE: {"type": "datepicker", "selected_date": "2026-12-11"}}
    pushed = slack.view_submission(ids.DELAY_NOTIFY_VIEW, compose, private_metadata=str(alert.id))
    assert pushed.json.get("response_action") == "push", pushed.body
    answers.append(pushed)
    answers.append(slack.view_submission(ids.DELAY_PREVIEW_VIEW, {},
                                         private_metadata=pushed.json["view"]["private_metadata"]))
    command(slack, answers, f'delay {slug} #2 to=2026-12-18 reason="{HOSTILE}" impact="{HOSTILE}" '
                            f'needs="{HOSTILE}" urgent')
    command(slack, answers, f"progress {slug} #5 40%")
    command(slack, answers, f"done {slug} #4")
    for text in (f"status {slug}", "list", "help", f"closed {slug}", "away", f"kickoff {slug}", f"update {slug}", f"owe {slug}",
                 f"settings {slug}", f"nonsense {HOSTILE}", f'add-milestone {slug} "{TITLES[0]}" due=2026-12-04'):
        command(slack, answers, text)
    deliver(services)
    update = rows(services, WeeklyUpdate)[0]
    press(slack, fake_slack, ids.UPDATE_NOTE, str(update.id), channel="D" + ALICE[1:], answer_by="views.open")
    [opened] = fake_slack.calls_to("views.open")[-1:]
    note = {ids.UPDATE_NOTE_INPUT: {ids.UPDATE_NOTE_INPUT: {"type": "plain_text_input", "value": TYPED}}}
    answers.append(slack.view_submission(ids.UPDATE_NOTE_VIEW, note,
                                         private_metadata=opened["view"]["private_metadata"]))
    assert answers[-1].body in ("", "{}")
    for day in range(23, 31):
        for hour in (7, 8, 9, 10, 16):
            tick(services, clock, utc(2026, 11, day, hour))
    home = json.loads((FIXTURES / "event_app_home_opened.json").read_text())["event"]
    send_event(slack, services, {**home, "user": ALICE, "tab": "home"})
    assert eventually(lambda: fake_slack.calls_to("views.publish"))
    kinds = {m.get("metadata", {}).get("event_payload", {}).get("kind") for m in fake_slack.messages(SHARED)}
    assert {"kickoff", "kickoff-change", "update", "delay_notice", "owed-reminder", "delivered", "checkin"} <= kinds
    sent = assert_only_template_markup(fake_slack, answers)
    assert len([t for _, args in sent for t in mrkdwn_texts(args) if len(t) > 2900]) >= 3
    everything = json.dumps(sent, ensure_ascii=False)
    assert "&lt;!channel&gt; ∗FREE∗ &lt;https://evil.example/login|Click me&gt;" in everything
    assert "&lt;!here|&quot;" not in everything and "Design &lt;!here|" in everything
    assert "`status &lt;project&gt;`" in everything and "A note from <@" in everything


def test_partner_text_is_shown_never_parsed(slack, services, fake_slack, clock):
    answers = []
    fake_slack.add_user(BOB, "bob", real_name=PARTNER_NAME, team_id=PARTNER)["profile"]["first_name"] = PARTNER_NAME
    command(slack, answers, 'add-project "Acme Website" <#C07SHARED01|proj> internal=<#C07INTERN01|team> '
                            "tz=Europe/Berlin respond-within=4h")
    command(slack, answers, 'add-milestone acme-website "Design" due=2026-11-27')
    command(slack, answers, 'add-milestone acme-website "Launch" due=2026-12-04')
    command(slack, answers, 'owe acme-website "Brand assets" due=2026-11-23')
    command(slack, answers, 'delay acme-website Launch to=2026-12-11 reason="Keys" urgent')
    command(slack, answers, 'done acme-website Design')
    tick(services, clock, utc(2026, 11, 23, 9))
    [reminder] = of_kind(fake_slack, SHARED, "owed-reminder")
    press(slack, fake_slack, ids.OWED_SENT, buttons(reminder)[ids.OWED_SENT], user=BOB, team=PARTNER,
          message_ts=reminder["ts"], answer_by="chat.update")
    [notice] = of_kind(fake_slack, SHARED, "delay_notice")
    asked = press(slack, fake_slack, ids.DELAY_NOTICE_ASK, buttons(notice)[ids.DELAY_NOTICE_ASK], user=BOB,
                  team=PARTNER, message_ts=notice["ts"], answer_by="views.open")
    question = {ids.DELAY_QUESTION_TEXT: {ids.DELAY_QUESTION_TEXT: {"type": "plain_text_input", "value": TYPED}}}
    answers.append(slack.view_submission(ids.DELAY_QUESTION_VIEW, question, user=BOB, team=PARTNER,
                                         private_metadata=asked["view"]["private_metadata"]))
    press(slack, fake_slack, ids.DELAY_NOTICE_ACK, buttons(notice)[ids.DELAY_NOTICE_ACK], user=BOB, team=PARTNER,
          message_ts=notice["ts"], answer_by="chat.update")
    tick(services, clock, utc(2026, 11, 25, 8))
    [checkin] = of_kind(fake_slack, SHARED, "checkin")
    vote = f"{ids.CHECKIN_VOTE}-1"
    press(slack, fake_slack, vote, buttons(checkin)[vote], user=BOB, team=PARTNER, message_ts=checkin["ts"],
          answer_by="chat.update")
    commenting = press(slack, fake_slack, ids.CHECKIN_COMMENT, buttons(checkin)[ids.CHECKIN_COMMENT], user=BOB,
                       team=PARTNER, message_ts=checkin["ts"], answer_by="views.open")
    comment = {ids.CHECKIN_COMMENT_TEXT: {ids.CHECKIN_COMMENT_TEXT: {"type": "plain_text_input", "value": TYPED}}}
    answers.append(slack.view_submission(ids.CHECKIN_COMMENT_VIEW, comment, user=BOB, team=PARTNER,
                                         private_metadata=commenting["view"]["private_metadata"]))
    stored = fake_slack.add_message(SHARED, HOSTILE, user=BOB)
    send_event(slack, services, {
        "type": "message", "channel": SHARED, "user": BOB, "text": stored["text"], "ts": stored["ts"],
        "team": PARTNER, "user_team": PARTNER, "channel_type": "channel", "event_ts": stored["ts"],
        "user_profile": {"first_name": PARTNER_NAME, "real_name": PARTNER_NAME}}, ext_shared=True)
    for hour in (9, 10, 11, 12, 13, 14, 15, 16):
        tick(services, clock, utc(2026, 11, 25, hour))
    deliver(services)
    assert eventually(lambda: of_kind(fake_slack, INTERNAL, "owed-received"))
    for kind, channel in (("promise-ack", SHARED), ("promise-warning", INTERNAL), ("promise-overdue", ALICE),
                          ("checkin-low", ALICE), ("checkin-comment", ALICE), ("delay_question", INTERNAL)):
        assert of_kind(fake_slack, channel, kind), kind
    sent = assert_only_template_markup(fake_slack, answers)
    everything = json.dumps(sent, ensure_ascii=False)
    assert "Answered by &lt;!channel&gt; &lt;https://evil.example/login|Click me&gt;" in everything
    assert "Thanks, &lt;!channel&gt;" in everything
    assert rows(services, OwedItem)[0].received_by == BOB


def test_help_shows_placeholders_literally(slack):
    answer = slack.command("help")
    assert "<project>" not in answer.body and "&lt;project&gt;" in answer.text
