from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.blocks.format import context, date_token, fit, section, split_text
from bot.blocks.render import render
from bot.domain.content import dump, load
from bot.domain.errors import UserError
from bot.domain.posts import PromiseReply
from bot.domain.text import clean_user_text, slugify
from bot.mrkdwn import Markup, channel_link, code, escape, fmt, unescape, user_mention


@pytest.mark.parametrize("raw", ["<!channel>", "<!here|here>", "<!everyone>", "<!subteam^s999>",
                                 "<!subteam^S0123ABC|design-team>", "<https://evil.example|Click me>", "<@U123>",
                                 "<#C123>", "<mailto:a@b.c|x>"])
def test_tokens_in_user_text_are_shown_not_parsed(raw):
    assert "<" not in escape(f"hello {raw} there") and ">" not in escape(raw)


def test_formatting_cannot_close_the_template():
    text = fmt("*{title}* due", title="x* <!channel> *y _z_ ~w~ `c`")
    assert text.count("*") == 2 and "_" not in text and "~" not in text and "`" not in text


def test_words_keep_their_characters():
    assert escape("brand_assets_v2 a*b") == "brand_assets_v2 a*b"
    assert escape("R&D <3") == "R&amp;D &lt;3"


def test_markup_passes_and_mentions_are_checked():
    assert fmt("{who} in {where}", who=user_mention("U123ABC"), where=channel_link("C42")) == "<@U123ABC> in <#C42>"
    assert user_mention("U1|x> <!channel") == "U1|x&gt; &lt;!channel"
    assert code("/expect status <project>") == "`/expect status &lt;project&gt;`"
    assert isinstance(Markup("a") + "<b>", Markup) and Markup("a") + "<b>" == "a&lt;b&gt;"


def test_every_kind_of_field_is_escaped_and_the_template_is_not():
    assert fmt("*{{x}}* {day:%d %b} <{n:>4}>", day=date(2026, 12, 4), n="<b>") == "*{x}* 04 Dec < &lt;b&gt;>"
    assert Markup("_{0}_ {p.real}").format("*x*", p=3 + 0j) == "_\u2217x\u2217_ 3.0"
    assert fmt("{a}{a}", a="R&D") == "R&amp;DR&amp;D"


def test_slack_escaping_is_undone_once():
    assert escape(unescape("&amp;lt; &lt;b&gt;")) == "&amp;lt; &lt;b&gt;"


def test_builders_escape_plain_text():
    assert section("<!here>")["text"]["text"] == "&lt;!here&gt;"
    assert context(Markup("<!date^1^{date}|x>"))["elements"][0]["text"] == "<!date^1^{date}|x>"


def test_long_text_flows_without_cutting_tokens():
    token = date_token(date(2026, 12, 4), ZoneInfo("UTC"))
    text = Markup("a" * 2985 + " ") + token + Markup(" &amp; b" * 400)
    pieces = split_text(text)
    assert all(len(p) <= 3000 for p in pieces) and "".join(pieces).replace(" ", "") == text.replace(" ", "")
    assert any(p.startswith("<!date^") for p in pieces)
    blocks = fit([section(text)])
    assert len(blocks) == len(pieces) and all(b["text"]["text"].count("<") == b["text"]["text"].count(">")
                                               for b in blocks)


def test_at_most_fifty_blocks_and_buttons_stay():
    actions = {"type": "actions", "elements": []}
    blocks = fit([section(str(i)) for i in range(80)] + [actions])
    assert len(blocks) == 50 and actions in blocks and "32 more" in blocks[-1]["elements"][0]["text"]


def test_content_round_trips_and_renders():
    post = PromiseReply("<!channel> Bob", datetime(2026, 11, 30, 11, tzinfo=timezone.utc))
    assert load(dump(post)) == post
    message = render(post)
    assert "<!channel>" not in message["text"] and "&lt;!channel&gt; Bob" in message["blocks"][0]["text"]["text"]


def test_over_limit_refused_with_field_name():
    with pytest.raises(UserError, match="reason is 3,001 characters"):
        clean_user_text("x" * 3001, field="reason")


def test_slugs():
    assert slugify("Acme Website") == "acme-website"
    assert slugify("  Über App 2.0! ") == "uber-app-2-0"
    assert slugify("東京") == slugify("東京 ") != slugify("大阪")
    assert slugify("東京").startswith("project-")
