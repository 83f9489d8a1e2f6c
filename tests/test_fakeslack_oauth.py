import json
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "webapi_oauth_v2_access.json").read_text())
REDIRECT = "http://127.0.0.1:9/slack/oauth_redirect"


@pytest.fixture
def oauth(fake_slack):
    fake_slack.register_app("111.222", "s3cret", redirect_urls=[REDIRECT])
    fake_slack.sign_in("T0ACME0001", "Acme Agency")
    return WebClient(base_url=fake_slack.base_url)


def authorize_url(fake, **extra):
    query = {"client_id": "111.222", "scope": "commands,chat:write", "state": "st4te", **extra}
    return f"http://{fake.host}:{fake.port}/oauth/v2/authorize?{urlencode(query)}"


def code(fake, **extra):
    redirect = fake.consent(authorize_url(fake, **extra))
    query = parse_qs(urlsplit(redirect).query)
    assert query["state"] == ["st4te"] and redirect.startswith(REDIRECT)
    return query["code"][0]


def error(call):
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response["error"]


def test_exchange_answers_in_slacks_shape(fake_slack, oauth):
    answer = oauth.oauth_v2_access(client_id="111.222", client_secret="s3cret", code=code(fake_slack)).data
    assert set(FIXTURE["success"]) <= set(answer) and answer["is_enterprise_install"] is False
    assert answer["team"] == {"id": "T0ACME0001", "name": "Acme Agency"} and answer["enterprise"] is None
    assert (answer["token_type"], answer["scope"]) == ("bot", "commands,chat:write")
    assert WebClient(token=answer["access_token"], base_url=fake_slack.base_url).auth_test()["team_id"] == "T0ACME0001"


def test_exchange_refuses_what_slack_refuses(fake_slack, oauth):
    good = code(fake_slack)
    assert error(lambda: oauth.oauth_v2_access(client_id="999.999", client_secret="s3cret", code=good)) \
        == FIXTURE["error"]["error"] == "invalid_client_id"
    assert error(lambda: oauth.oauth_v2_access(client_id="111.222", client_secret="nope", code=good)) \
        == "bad_client_secret"
    assert error(lambda: oauth.oauth_v2_access(client_id="111.222", client_secret="s3cret", code="made-up")) \
        == "invalid_code"
    oauth.oauth_v2_access(client_id="111.222", client_secret="s3cret", code=good)
    assert error(lambda: oauth.oauth_v2_access(client_id="111.222", client_secret="s3cret", code=good)) \
        == "invalid_code"
    sent = code(fake_slack, redirect_uri=REDIRECT)
    assert error(lambda: oauth.oauth_v2_access(client_id="111.222", client_secret="s3cret", code=sent)) \
        == "bad_redirect_uri"
    assert error(lambda: oauth.oauth_v2_access(client_id="111.222", client_secret="s3cret",
                                               grant_type="refresh_token", refresh_token="xoxe-1-nope")) \
        == "invalid_refresh_token"


def test_refresh_gives_a_new_expiring_token(fake_slack, oauth):
    fake_slack.register_app("111.222", "s3cret", redirect_urls=[REDIRECT], token_rotation=True, expires_in=43200)
    first = oauth.oauth_v2_access(client_id="111.222", client_secret="s3cret", code=code(fake_slack)).data
    assert first["expires_in"] == 43200 and first["refresh_token"].startswith("xoxe-1-")
    again = oauth.oauth_v2_access(client_id="111.222", client_secret="s3cret", grant_type="refresh_token",
                                  refresh_token=first["refresh_token"]).data
    assert again["access_token"] != first["access_token"] and again["token_type"] == "bot"
    assert WebClient(token=again["access_token"], base_url=fake_slack.base_url).auth_test()["team_id"] == "T0ACME0001"


def test_consent_page_refuses_unknown_apps_redirects_and_scopes(fake_slack, oauth):
    assert httpx.get(authorize_url(fake_slack, client_id="999.999")).status_code == 400
    assert "bad_redirect_uri" in httpx.get(authorize_url(fake_slack, redirect_uri="http://evil.example/")).text
    assert "invalid_scope" in httpx.get(authorize_url(fake_slack, scope="admin")).text


def test_cancel_redirects_with_access_denied(fake_slack, oauth):
    redirect = fake_slack.consent(authorize_url(fake_slack), allow=False)
    assert parse_qs(urlsplit(redirect).query) == {"error": ["access_denied"], "state": ["st4te"]}
