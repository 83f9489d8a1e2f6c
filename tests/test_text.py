from datetime import datetime, timezone

import pytest

from bot.blocks.promises import promise_reply
from bot.domain.errors import UserError
from bot.domain.text import clean_user_text, neutralise, slugify


@pytest.mark.parametrize("raw", ["<!channel>", "<!here|here>", "<!everyone>", "@channel", "@Here", "@everyone",
                                 "<!subteam^S0123ABC|design-team>"])
def test_broadcasts_cannot_ping(raw):
    quiet = neutralise(f"hello {raw} there")
    assert "<!" not in quiet
    assert "@channel" not in quiet.lower() and "@here" not in quiet.lower() and "@everyone" not in quiet.lower()


def test_ordinary_text_kept():
    assert neutralise("mail bob@here.com about <@U123>") == "mail bob@here.com about <@U123>"


def test_over_limit_refused_with_field_name():
    with pytest.raises(UserError, match="reason is 3,001 characters"):
        clean_user_text("x" * 3001, field="reason")


def test_partner_name_in_promise_is_neutralised():
    reply = promise_reply("<!channel> Bob", deadline=datetime(2026, 11, 30, 11, tzinfo=timezone.utc))
    assert "<!channel>" not in reply["text"] and "Bob" in reply["text"]


def test_slugs():
    assert slugify("Acme Website") == "acme-website"
    assert slugify("  Über App 2.0! ") == "uber-app-2-0"
    assert slugify("東京") == slugify("東京 ") != slugify("大阪")
    assert slugify("東京").startswith("project-")
