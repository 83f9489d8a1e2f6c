import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.devtools.fakeslack import FakeSlack

OTHER_TOKEN = "xoxb-other-workspace"


@pytest.fixture
def fake():
    with FakeSlack(scopes=None) as f:
        f.add_workspace("T0OTHER001", "Beta Studio", token=OTHER_TOKEN, bot_user_id="U0BETABOT1",
                        enterprise_id="E0GRID0001")
        f.add_user("U0HOMEUSR1", "alice")
        f.add_user("U0BETAUSR1", "bea", team_id="T0OTHER001")
        f.add_channel("C0HOMECHN1", "home-client")
        f.add_channel("C0BETACHN1", "beta-client", team_id="T0OTHER001")
        yield f


def client_for(fake, token):
    return WebClient(token=token, base_url=fake.base_url, retry_handlers=[])


def error_of(call):
    with pytest.raises(SlackApiError) as e:
        call()
    return e.value.response["error"]


def test_auth_test_answers_for_the_tokens_workspace(fake):
    home, other = client_for(fake, fake.token).auth_test(), client_for(fake, OTHER_TOKEN).auth_test()
    assert (home["team_id"], home["user_id"], home.get("enterprise_id")) == ("T0HOME0001", "U07BOTUSER1", None)
    assert (other["team_id"], other["user_id"], other["bot_id"], other["enterprise_id"]) == \
        ("T0OTHER001", "U0BETABOT1", "B0BETABOT1", "E0GRID0001")


def test_each_call_keeps_its_token(fake):
    client_for(fake, fake.token).chat_postMessage(channel="C0HOMECHN1", text="home")
    client_for(fake, OTHER_TOKEN).chat_postMessage(channel="C0BETACHN1", text="beta")
    assert [(c["token"], c["team_id"]) for c in fake.calls] == [(fake.token, "T0HOME0001"),
                                                                 (OTHER_TOKEN, "T0OTHER001")]
    assert [a["text"] for a in fake.calls_to("chat.postMessage", token=OTHER_TOKEN)] == ["beta"]
    [message] = fake.messages("C0BETACHN1")
    assert (message["team"], message["bot_id"]) == ("T0OTHER001", "B0BETABOT1")


def test_workspaces_see_only_their_own_channels_and_users(fake):
    other = client_for(fake, OTHER_TOKEN)
    assert error_of(lambda: other.chat_postMessage(channel="C0HOMECHN1", text="x")) == "channel_not_found"
    assert error_of(lambda: other.users_info(user="U0HOMEUSR1")) == "user_not_found"
    assert error_of(lambda: other.chat_postMessage(channel="U0HOMEUSR1", text="x")) == "channel_not_found"
    home = client_for(fake, fake.token)
    assert error_of(lambda: home.conversations_info(channel="C0BETACHN1")) == "channel_not_found"
    assert other.users_info(user="U0BETAUSR1")["user"]["is_stranger"] is False


def test_a_shared_channel_is_seen_by_both_and_each_bot_edits_only_its_own(fake):
    fake.add_channel("C0CONNECT1", "agency-to-agency", ext_shared_with="T0OTHER001")
    home, other = client_for(fake, fake.token), client_for(fake, OTHER_TOKEN)
    posted = home.chat_postMessage(channel="C0CONNECT1", text="from home")
    assert other.users_info(user="U0HOMEUSR1")["user"]["is_stranger"] is True
    assert error_of(lambda: other.chat_update(channel="C0CONNECT1", ts=posted["ts"], text="x")) == \
        "cant_update_message"


def test_dms_and_app_homes_belong_to_the_bot_that_opened_them(fake):
    fake.add_user("U0PARTUSR1", "bob", team_id="T0PARTNR01")
    home, other = client_for(fake, fake.token), client_for(fake, OTHER_TOKEN)
    home.chat_postMessage(channel="U0PARTUSR1", text="from home")
    other.chat_postMessage(channel="U0PARTUSR1", text="from beta")
    assert [m["text"] for m in fake.messages("U0PARTUSR1")] == ["from home"]
    assert [m["text"] for m in fake.messages("U0PARTUSR1", team_id="T0OTHER001")] == ["from beta"]
    view = {"type": "home", "blocks": [{"type": "divider"}]}
    first = home.views_publish(user_id="U0PARTUSR1", view=view)["view"]
    second = other.views_publish(user_id="U0PARTUSR1", view=view)["view"]
    assert first["id"] != second["id"] and second["team_id"] == "T0OTHER001"


def test_revoked_token_fails_and_the_other_keeps_working(fake):
    fake.revoke(OTHER_TOKEN)
    assert error_of(client_for(fake, OTHER_TOKEN).auth_test) == "token_revoked"
    assert client_for(fake, fake.token).auth_test()["ok"]
    assert error_of(client_for(fake, "xoxb-unknown").auth_test) == "invalid_auth"


def test_failures_and_rate_limits_can_target_one_workspace(fake):
    fake.fail_next("chat.postMessage", "fatal_error", token=OTHER_TOKEN)
    home, other = client_for(fake, fake.token), client_for(fake, OTHER_TOKEN)
    assert home.chat_postMessage(channel="C0HOMECHN1", text="fine")["ok"]
    with pytest.raises(SlackApiError):
        other.chat_postMessage(channel="C0BETACHN1", text="fails")
    fake.set_rate_limits(workspace=1, workspace_burst=1)
    assert other.chat_postMessage(channel="C0BETACHN1", text="first")["ok"]
    assert home.chat_postMessage(channel="C0HOMECHN1", text="not slowed by beta")["ok"]
    assert error_of(lambda: other.chat_postMessage(channel="C0BETACHN1", text="over")) == "ratelimited"


def test_an_org_wide_token_sees_every_workspace_of_its_org_and_no_other(fake):
    fake.add_org("E0GRID0001", ["T0OTHER001", "T0NORTH001"])
    fake.add_workspace("E0GRID0001", "Grid Org", token="xoxb-org", bot_user_id="U0GRIDBOT1", enterprise_id="E0GRID0001")
    fake.add_channel("C0NORTHCH1", "north-client", team_id="T0NORTH001")
    fake.add_user("U0NORTHUS1", "nora", team_id="T0NORTH001")
    org = client_for(fake, "xoxb-org")
    auth = org.auth_test()
    assert (auth["team_id"], auth["enterprise_id"], auth["is_enterprise_install"]) == ("E0GRID0001", "E0GRID0001", True)
    assert client_for(fake, OTHER_TOKEN).auth_test()["is_enterprise_install"] is False
    assert [org.conversations_info(channel=c)["channel"]["id"] for c in ("C0NORTHCH1", "C0BETACHN1")] == \
        ["C0NORTHCH1", "C0BETACHN1"]
    assert [org.users_info(user=u)["user"]["is_stranger"] for u in ("U0NORTHUS1", "U0BETAUSR1")] == [False, False]
    assert error_of(lambda: org.conversations_info(channel="C0HOMECHN1")) == "channel_not_found"
    assert error_of(lambda: org.users_info(user="U0HOMEUSR1")) == "user_not_found"
    assert error_of(lambda: client_for(fake, OTHER_TOKEN).conversations_info(channel="C0NORTHCH1")) == \
        "channel_not_found"
