import html
import logging
import re
import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.app import create_app
from bot.devtools.fakeslack import manifest_scopes
from bot.models.installations import BOTS, INSTALLATIONS
from bot.secrets import new_key
from bot.services import build_services
from bot.settings import Settings
from bot.slack.oauth import BOT_SCOPES
from bot.web import make_server, stop_server
from tests.conftest import MANIFEST
from tests.slackreq import SECRET, SlackClient
from tests.test_installations import stored_text

CLIENT_ID, CLIENT_SECRET = "1234567890.9876543210", "c1ient5ecret"
ACME, GLOBEX = "T0ACME0001", "T0GLOBEX01"


@pytest.fixture
def distribution(database_url, fake_slack, clock):
    settings = Settings(bot_token=None, signing_secret=SECRET, api_url=fake_slack.base_url, database_url=database_url,
                        port=0, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, encryption_keys=(new_key(),))
    built = build_services(settings, clock=clock, dispatcher_threads=2)
    built.dispatcher.pacer = built.gateway.pacer = None
    yield built
    built.close()


@pytest.fixture
def site(distribution, fake_slack):
    http = make_server(create_app(distribution), distribution, host="127.0.0.1", port=0)
    thread = threading.Thread(target=http.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{http.effective_port}"
    fake_slack.register_app(CLIENT_ID, CLIENT_SECRET, redirect_urls=[f"{url}/slack/oauth_redirect"])
    fake_slack.sign_in(ACME, "Acme Agency")
    yield url
    stop_server(http)
    thread.join(timeout=5)


def start(site):
    page = httpx.get(f"{site}/slack/install")
    assert page.status_code == 200, page.text
    authorize = html.unescape(re.search(r'id="add-to-slack" href="([^"]+)"', page.text).group(1))
    return authorize, page.headers["set-cookie"].split(";")[0], page


def finish(location, cookie):
    return httpx.get(location, headers={"Cookie": cookie} if cookie else {})


def install(site, fake_slack):
    authorize, cookie, _ = start(site)
    return finish(fake_slack.consent(authorize), cookie)


def rows(distribution, table=INSTALLATIONS):
    with distribution.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_install_page_offers_add_to_slack_with_the_manifest_scopes_and_a_fresh_state(site, fake_slack):
    authorize, cookie, page = start(site)
    again, _, _ = start(site)
    url = urlsplit(authorize)
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"http://{fake_slack.host}:{fake_slack.port}/oauth/v2/authorize"
    assert query["client_id"] == [CLIENT_ID]
    assert set(query["scope"][0].split(",")) == manifest_scopes(MANIFEST)
    assert query["state"] != parse_qs(urlsplit(again).query)["state"]
    assert cookie == f"slack-app-oauth-state={query['state'][0]}"
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in page.text and "<h1>" in page.text
    assert not re.search(r"<(img|script|link|iframe)\b|\bsrc=|url\(", page.text)


def test_install_stores_the_workspace_and_says_what_to_do_next(site, fake_slack, distribution, database_url, caplog):
    caplog.set_level(logging.DEBUG)
    done = install(site, fake_slack)
    assert done.status_code == 200
    assert "/invite @expect" in done.text and "/expect add-project" in done.text and "Acme Agency" in done.text
    [exchange] = fake_slack.calls_to("oauth.v2.access")
    assert exchange["client_id"] == CLIENT_ID and exchange["code"]
    bot = distribution.installations.find_bot(enterprise_id=None, team_id=ACME)
    assert bot.bot_user_id == fake_slack.bot_user_id and bot.bot_id
    assert WebClient(token=bot.bot_token, base_url=fake_slack.base_url).auth_test()["team_id"] == ACME
    assert set(bot.bot_scopes) == set(BOT_SCOPES)
    assert bot.bot_token not in stored_text(database_url)
    assert bot.bot_token not in caplog.text and "installed in T0ACME0001" in caplog.text


def test_a_second_workspace_installs_next_to_the_first(site, fake_slack, distribution):
    install(site, fake_slack)
    fake_slack.sign_in(GLOBEX, "Globex", bot_user_id="U07GLOBBOT")
    assert install(site, fake_slack).status_code == 200
    acme = distribution.installations.find_bot(enterprise_id=None, team_id=ACME)
    globex = distribution.installations.find_bot(enterprise_id=None, team_id=GLOBEX)
    assert acme.bot_token != globex.bot_token and globex.bot_user_id == "U07GLOBBOT"
    assert WebClient(token=globex.bot_token, base_url=fake_slack.base_url).auth_test()["team_id"] == GLOBEX


def test_a_used_state_installs_nothing_more(site, fake_slack, distribution, caplog):
    authorize, cookie, _ = start(site)
    redirect = fake_slack.consent(authorize)
    assert finish(redirect, cookie).status_code == 200
    again = finish(redirect, cookie)
    assert again.status_code == 401 and "already been used" in again.text
    assert rows(distribution) == 1 and len(fake_slack.calls_to("oauth.v2.access")) == 1
    assert "installation failed: invalid_state" in caplog.text


def test_an_expired_state_installs_nothing(site, fake_slack, distribution, clock, caplog):
    authorize, cookie, _ = start(site)
    redirect = fake_slack.consent(authorize)
    clock.advance(timedelta(minutes=10, seconds=1))
    failed = finish(redirect, cookie)
    assert failed.status_code == 401 and "expect was not installed" in failed.text
    assert rows(distribution) == 0 and fake_slack.calls_to("oauth.v2.access") == []
    assert "installation failed: invalid_state" in caplog.text


def test_a_denied_consent_installs_nothing(site, fake_slack, distribution, caplog):
    authorize, cookie, _ = start(site)
    redirect = fake_slack.consent(authorize, allow=False)
    assert parse_qs(urlsplit(redirect).query)["error"] == ["access_denied"]
    failed = finish(redirect, cookie)
    assert "cancelled" in failed.text and "/slack/install" in failed.text
    assert rows(distribution) == 0 and fake_slack.calls_to("oauth.v2.access") == []
    assert "installation failed: access_denied" in caplog.text


def test_another_browser_cannot_finish_the_install(site, fake_slack, distribution):
    authorize, _, _ = start(site)
    failed = finish(fake_slack.consent(authorize), None)
    assert failed.status_code == 400 and "expect was not installed" in failed.text
    assert rows(distribution) == 0


def test_a_failed_exchange_installs_nothing(site, fake_slack, distribution, caplog):
    authorize, cookie, _ = start(site)
    fake_slack.register_app(CLIENT_ID, "a-rotated-secret", redirect_urls=[f"{site}/slack/oauth_redirect"])
    failed = finish(fake_slack.consent(authorize), cookie)
    assert failed.status_code == 401 and "did not confirm" in failed.text
    assert fake_slack.calls_to("oauth.v2.access")
    assert rows(distribution) == 0 and rows(distribution, BOTS) == 0
    assert "bad_client_secret" in caplog.text and "installation failed: invalid_code" in caplog.text


def test_an_org_wide_install_serves_every_workspace_of_the_org(site, fake_slack, distribution):
    fake_slack.sign_in(None, enterprise_id="E0GRID0001", enterprise_name="Grid Org", org_wide=True)
    done = install(site, fake_slack)
    assert done.status_code == 200 and "Grid Org" in done.text
    installation = distribution.installations.find_installation(enterprise_id="E0GRID0001", team_id=None,
                                                                is_enterprise_install=True)
    assert installation.is_enterprise_install and installation.team_id is None
    bot = distribution.installations.find_bot(enterprise_id="E0GRID0001", team_id="T0ANYTEAM1",
                                             is_enterprise_install=True)
    assert bot.bot_token == installation.bot_token
    assert distribution.installations.find_bot(enterprise_id=None, team_id="T0ANYTEAM1") is None


def test_expiring_tokens_are_refreshed_before_use(site, fake_slack, distribution, database_url):
    fake_slack.register_app(CLIENT_ID, CLIENT_SECRET, redirect_urls=[f"{site}/slack/oauth_redirect"],
                            token_rotation=True, expires_in=3600)
    install(site, fake_slack)
    first = distribution.installations.find_installation(enterprise_id=None, team_id=ACME)
    assert first.bot_token.startswith("xoxe.xoxb-") and first.bot_refresh_token.startswith("xoxe-1-")
    fresh = distribution.installations.find_bot(enterprise_id=None, team_id=ACME)
    refresh = [args for args in fake_slack.calls_to("oauth.v2.access") if args.get("grant_type")]
    assert refresh == [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
                        "refresh_token": first.bot_refresh_token}]
    assert fresh.bot_token != first.bot_token
    assert WebClient(token=fresh.bot_token, base_url=fake_slack.base_url).auth_test()["team_id"] == ACME
    stored = distribution.installations.find_installation(enterprise_id=None, team_id=ACME)
    assert (stored.bot_token, stored.bot_refresh_token) == (fresh.bot_token, fresh.bot_refresh_token)
    at_rest = stored_text(database_url)
    assert fresh.bot_token not in at_rest and fresh.bot_refresh_token not in at_rest


def test_bolt_refreshes_an_expiring_token_when_a_request_arrives(site, fake_slack, distribution):
    fake_slack.register_app(CLIENT_ID, CLIENT_SECRET, redirect_urls=[f"{site}/slack/oauth_redirect"],
                            token_rotation=True, expires_in=3600)
    install(site, fake_slack)
    old = distribution.installations.find_installation(enterprise_id=None, team_id=ACME)
    SlackClient(f"{site}/slack/events").command("help", team=ACME)
    assert [args for args in fake_slack.calls_to("oauth.v2.access") if args.get("grant_type") == "refresh_token"]
    assert distribution.installations.find_installation(enterprise_id=None, team_id=ACME).bot_token != old.bot_token


def test_single_workspace_mode_has_no_install_pages(server):
    assert httpx.get(f"{server}/slack/install").status_code == 404
    assert httpx.get(f"{server}/slack/oauth_redirect?code=x&state=y").status_code == 404


def test_the_requested_scopes_are_the_manifests():
    assert set(BOT_SCOPES) == manifest_scopes(MANIFEST) and len(BOT_SCOPES) == len(set(BOT_SCOPES))
