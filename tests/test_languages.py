import json
import re

import pytest

from bot import i18n, ids
from bot.domain.posts import KickoffCard
from bot.i18n import FSI, PDI, separator, speaking
from bot.models import Project
from tests.expectations_support import (
    buttons, deliver, of_kind, press, rendered, rows, send_event, tick, utc,
)
from tests.test_catalogs import POT, entries
from tests.slackreq import ALICE, BOB, PARTNER, SHARED

LANGS = ["uk", "ru", "fa", "ca", "hu"]
ADD = ('add-project "Acme Website" <#C07SHARED01|proj-acme-partner> client="Acme Corp" tz=Europe/Berlin '
       'internal=<#C07INTERN01|acme-team> lang={lang}')
UPDATE_AT = utc(2026, 11, 23, 9)
OWED = {"Alpha": ("2026-11-22", 1), "Bravo": ("2026-11-21", 2), "Delta": ("2026-11-18", 5), "Kilo": ("2026-11-02", 21)}
DAYS = {
    "uk": {1: "1 день", 2: "2 дні", 5: "5 днів", 21: "21 день"},
    "ru": {1: "1 день", 2: "2 дня", 5: "5 дней", 21: "21 день"},
    "fa": {1: f"{FSI}۱{PDI} روز", 2: f"{FSI}۲{PDI} روز", 5: f"{FSI}۵{PDI} روز", 21: f"{FSI}۲۱{PDI} روز"},
    "ca": {1: "1 dia", 2: "2 dies", 5: "5 dies", 21: "21 dies"},
    "hu": {1: "1 napja", 2: "2 napja", 5: "5 napja", 21: "21 napja"},
}
NATIVE_HOMOGRAPHS = {"ca": {"per"}}
USER_TEXT = ("Acme Website", "Acme Corp", "Zulu", "Xyzzy", "Bob", *OWED)


def english_words():
    words = set()
    for message in entries(POT):
        for text in (message.id if isinstance(message.id, tuple) else (message.id,)):
            words |= set(re.findall(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}|:[a-z_]+:", " ", text)))
    with i18n.speaking("en"):
        words |= {i18n.weekday(day, "abbreviated") for day in range(7)}
    return (words | {"Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}) - {"Slack", "expect"}


ENGLISH = english_words()


def english_left(text, lang):
    text = re.sub(r"<![^|>]*\|([^>]*)>", r"\1", text)
    text = re.sub(r"<[^>]*>|:[a-z0-9_+-]+:", " ", text)
    for typed in USER_TEXT:
        text = text.replace(typed, " ")
    return {word for word in re.findall(r"[A-Za-z]{3,}", text) if word in ENGLISH} - NATIVE_HOMOGRAPHS.get(lang, set())


def said(lang, msgid, **params):
    with i18n.speaking(lang):
        return str(i18n._(msgid, **params))


def labels(message):
    return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def start(slack, lang):
    assert "Registered" in slack.command(ADD.format(lang=lang)).text
    slack.command("settings acme-website budget=20")
    slack.command('add-milestone acme-website "Zulu" due=2026-12-04')


@pytest.mark.parametrize("lang", LANGS)
def test_weekly_update_speaks_the_language_with_plurals(lang, slack, services, fake_slack, clock):
    start(slack, lang)
    for title, (due, _) in OWED.items():
        slack.command(f'owe acme-website "{title}" due={due}')
    tick(services, clock, UPDATE_AT)
    [update] = of_kind(fake_slack, SHARED, "update")
    text = rendered(update)
    assert english_left(text, lang) == set(), text
    assert said(lang, "What we need from you") in text
    lines = {title: next(line for line in text.splitlines() if title in line) for title in OWED}
    for title, (_, days) in OWED.items():
        assert DAYS[lang][days] in lines[title], lines[title]
    reminders = of_kind(fake_slack, SHARED, "owed-reminder")
    assert len(reminders) == 4 and all(english_left(rendered(r), lang) == set() for r in reminders)
    assert labels(reminders[0]) == [said(lang, "Sent ✓")]


@pytest.mark.parametrize("lang", LANGS)
def test_promise_reply_speaks_the_language(lang, slack, services, fake_slack, clock):
    start(slack, lang)
    stored = fake_slack.add_message(SHARED, "Could you send the staging link?", user=BOB)
    send_event(slack, services, {"type": "message", "channel": SHARED, "user": BOB, "ts": stored["ts"],
                                 "text": "Could you send the staging link?", "team": PARTNER, "user_team": PARTNER,
                                 "channel_type": "channel", "event_ts": stored["ts"]}, ext_shared=True)
    deliver(services)
    [reply] = of_kind(fake_slack, SHARED, "promise-ack")
    assert reply["thread_ts"] == stored["ts"]
    assert english_left(rendered(reply), lang) == set() and "Bob" in rendered(reply)


@pytest.mark.parametrize("lang", LANGS)
def test_delay_notice_and_its_buttons_speak_the_language(lang, slack, services, fake_slack, clock):
    start(slack, lang)
    slack.command('delay acme-website Zulu to=2026-12-11 reason="Xyzzy"')
    tick(services, clock, utc(2026, 11, 23, 8, 10))
    [notice] = of_kind(fake_slack, SHARED, "delay_notice")
    assert english_left(rendered(notice), lang) == set(), rendered(notice)
    assert labels(notice) == [said(lang, "Acknowledge"), said(lang, "Ask a question")]
    value = buttons(notice)[ids.DELAY_NOTICE_ACK]
    press(slack, fake_slack, ids.DELAY_NOTICE_ACK, value, user=BOB, team=PARTNER, message_ts=notice["ts"],
          answer_by="chat.update")
    [acknowledged] = [u for u in fake_slack.calls_to("chat.update") if u["ts"] == notice["ts"]]
    assert english_left(rendered(acknowledged), lang) == set() and "<@U0PARTUSR1>" in rendered(acknowledged)
    wrong = press(slack, fake_slack, ids.DELAY_NOTICE_ACK, value, user=BOB, team=PARTNER, channel="C07OTHER001")
    assert wrong["text"] == said(lang, "That button doesn't belong to a notice in this channel. Nothing was changed.")


@pytest.mark.parametrize("lang", LANGS)
def test_checkin_survey_and_comment_modal_speak_the_language(lang, slack, services, fake_slack, clock):
    start(slack, lang)
    slack.command("done acme-website Zulu")
    deliver(services)
    [delivered] = of_kind(fake_slack, SHARED, "delivered")
    tick(services, clock, utc(2026, 11, 25, 8))
    [survey] = [*of_kind(fake_slack, SHARED, "checkin")]
    for post in (delivered, survey):
        assert english_left(rendered(post), lang) == set(), rendered(post)
    assert labels(survey)[-1] == said(lang, "Add a comment")
    modal = press(slack, fake_slack, ids.CHECKIN_COMMENT, buttons(survey)[ids.CHECKIN_COMMENT], user=BOB,
                  team=PARTNER, message_ts=survey["ts"], answer_by="views.open")["view"]
    shown = " ".join([modal["title"]["text"], modal["submit"]["text"], modal["blocks"][0]["label"]["text"]])
    assert english_left(shown, lang) == set(), shown
    empty = slack.view_submission(ids.CHECKIN_COMMENT_VIEW, {}, user=BOB, team=PARTNER,
                                  private_metadata=modal["private_metadata"])
    assert empty.json["errors"][ids.CHECKIN_COMMENT_TEXT] == said(lang, "Write a comment first, or close this window.")


def test_unknown_language_refused_and_nothing_changes(slack, services):
    answer = slack.command(ADD.format(lang="xx"))
    assert "`lang=xx`" in answer.text and "`uk` (українська)" in answer.text and "`hu` (magyar)" in answer.text
    assert rows(services, Project) == []
    slack.command(ADD.format(lang="en"))
    answer = slack.command("settings acme-website lang=klingon")
    assert "`lang=klingon`" in answer.text and "`fa` (فارسی)" in answer.text
    assert rows(services, Project)[0].lang == "en"


def test_new_projects_take_the_default_language(slack, services, monkeypatch):
    monkeypatch.setitem(i18n._settings, "default", "ca")
    slack.command('add-project "Acme Website" <#C07SHARED01|proj-acme-partner>')
    assert rows(services, Project)[0].lang == "ca"
    assert "català (ca)" in slack.command("status acme-website").text


def test_changing_the_language_posts_nothing_and_rewrites_the_pinned_card(slack, services, fake_slack):
    slack.command(ADD.format(lang="en"))
    deliver(services)
    press(slack, fake_slack, ids.KICKOFF_APPROVE, str(rows(services, Project)[0].id), channel="D" + ALICE[1:])
    deliver(services)
    [card] = of_kind(fake_slack, SHARED, "kickoff")
    assert "Our working agreement" in rendered(card)
    before = len(fake_slack.calls_to("chat.postMessage"))
    answer = slack.command("settings acme-website lang=uk")
    assert "client language `uk`" in answer.text
    deliver(services)
    assert len(fake_slack.calls_to("chat.postMessage")) == before
    [update] = fake_slack.wait_for("chat.update", where=lambda call: call["ts"] == card["ts"])
    assert said("uk", "Our working agreement — {name}", name="Acme Website") == update["text"]
    assert english_left(rendered(update), "uk") == set(), rendered(update)
    assert "українська (uk)" in slack.command("status acme-website").text


def test_preview_shows_the_client_post_in_their_language_and_its_controls_in_ours(slack, services):
    start(slack, "uk")
    answer = slack.command("update acme-website")
    assert "*Preview* of the weekly update for *Acme Website*" in answer.text
    assert said("uk", "{name}: weekly update", name="Acme Website") in json.dumps(answer.json, ensure_ascii=False)
    actions = [b for b in answer.json["blocks"] if b["type"] == "actions"][0]
    assert [e["text"]["text"] for e in actions["elements"]] == ["Approve", "Add a note", "Skip this week", "Post now"]


def test_persian_isolates_latin_runs_and_uses_persian_digits():
    card = KickoffCard("Acme Website", "Acme Corp", "C07SHARED01", ALICE, 4, "10:00", "Asia/Tehran", None, "21h",
                       "12345", "09:00", "18:00", None, None, [])
    from bot.blocks.render import render

    text = "\n".join(b["text"]["text"] for b in render(card, project=Project(lang="fa"))["blocks"] if "text" in b)
    assert f"{FSI}Acme Website{PDI}" in text and f"{FSI}۲۱{PDI}" in text and "۱۰:۰۰" in text
    assert not re.search(r"[0-9]", re.sub(r"<[^>]*>|Asia/Tehran", "", text))


def test_lists_are_joined_with_the_languages_own_comma():
    with speaking("fa"):
        assert (separator().strip(), separator(strong=True).strip()) == ("،\u200f", "؛\u200f")
    with speaking("en"):
        assert (separator(), separator(strong=True)) == (", ", "; ")
