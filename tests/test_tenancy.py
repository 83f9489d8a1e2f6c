import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot import ids
from bot.app import create_app
from bot.models import OutboxMessage, Project
from bot.models.expectations import KickoffCard, ResponsePromise
from bot.secrets import new_key
from bot.services import build_services
from bot.settings import Settings
from bot.web import make_server, stop_server
from jobs import run_tick
from tests.expectations_support import buttons, deliver, of_kind, rendered, rows, send_event
from tests.slackreq import ALICE, BOB, HOME, INTERNAL, PARTNER, SECRET, SHARED, SlackClient
from tests.test_install import CLIENT_ID, CLIENT_SECRET, finish, start

BETA, BETA_BOT = "T0BETA0001", "U0BETABOT1"
TOKENS: dict[str, str] = {}  # each workspace's bot token, as its OAuth install minted it
BEA, BEN = "U0BETAUSR1", "U0BETAUSR2"
BETA_SHARED, BETA_INTERNAL = "C0BETASHR1", "C0BETAINT1"
PREVIEW_AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
UPDATE_AT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
HOME_WORDS, BETA_WORDS = ("Home Corp", "Home Secret", "Zeta review"), ("Beta Client", "Beta Secret", "Kappa launch")


def install_through_oauth(site, fake_slack, team_id, team_name, bot_user_id):
    fake_slack.sign_in(team_id, team_name, bot_user_id=bot_user_id)
    authorize, cookie, _ = start(site)
    assert finish(fake_slack.consent(authorize), cookie).status_code == 200


@pytest.fixture
def tenants(database_url, fake_slack, clock):
    fake_slack.add_user(BEA, "bea", real_name="Bea Beta", tz="Europe/Paris", team_id=BETA)
    fake_slack.add_user(BEN, "ben", real_name="Ben Beta", tz="Europe/Paris", team_id=BETA)
    fake_slack.add_channel(BETA_SHARED, "proj-beta-partner", ext_shared_with=PARTNER, team_id=BETA)
    fake_slack.add_channel(BETA_INTERNAL, "beta-team", team_id=BETA)
    settings = Settings(bot_token=None, signing_secret=SECRET, api_url=fake_slack.base_url, database_url=database_url,
                        port=0, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, encryption_keys=(new_key(),))
    services = build_services(settings, clock=clock, dispatcher_threads=4)
    services.dispatcher.pacer = services.gateway.pacer = None
    services.gateway.request_budget = 10.0  # isolation is under test here, not speed on a loaded machine
    http = make_server(create_app(services), services, host="127.0.0.1", port=0)
    thread = threading.Thread(target=http.run, daemon=True)
    thread.start()
    site = f"http://127.0.0.1:{http.effective_port}"
    fake_slack.register_app(CLIENT_ID, CLIENT_SECRET, redirect_urls=[f"{site}/slack/oauth_redirect"])
    install_through_oauth(site, fake_slack, HOME, "Acme Eng", "U07BOTUSER1")
    install_through_oauth(site, fake_slack, BETA, "Beta Studio", BETA_BOT)
    for team in (HOME, BETA):
        TOKENS[team] = services.installations.find_bot(enterprise_id=None, team_id=team).bot_token
    fake_slack.reset_calls()
    yield services, SlackClient(f"{site}/slack/events", response_url=fake_slack.response_url("cmd"))
    stop_server(http)
    thread.join(timeout=5)
    services.close()


def register_both(slack):
    home = [slack.command('add-project "Acme Website" <#C07SHARED01|x> client="Home Corp" tz=Europe/Berlin '
                          'cadence="wed 10:00"'),
            slack.command('add-milestone acme-website "Zeta review" due=2026-12-02'),
            slack.command('add-project "Home Secret" <#C07INTERN01|y>')]
    beta = [slack.command('add-project "Acme Website" <#C0BETASHR1|x> client="Beta Client" tz=Europe/Berlin '
                          'cadence="wed 10:00"', user=BEA, team=BETA, channel=BETA_SHARED),
            slack.command('add-milestone acme-website "Kappa launch" due=2026-12-09', user=BEA, team=BETA),
            slack.command('add-project "Beta Secret" <#C0BETAINT1|y>', user=BEA, team=BETA, channel=BETA_INTERNAL)]
    for answer in home + beta:
        assert answer.status == 200 and ("Registered" in answer.text or "Added" in answer.text), answer.text
    return home, beta


def home_opened(slack, user, team):
    return slack.event({"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home",
                        "event_ts": "1718000600.000500"}, team=team, installed=team,
                       bot_user=BETA_BOT if team == BETA else "U07BOTUSER1")


def published_to(fake_slack, user):
    return [call for call in fake_slack.calls if call["method"] == "views.publish" and call["args"]["user_id"] == user]


def shown(view):
    return "\n".join(b["text"]["text"] for b in view["blocks"] if isinstance(b.get("text"), dict)) + "\n" + "\n".join(
        e.get("text", "") for b in view["blocks"] for e in b.get("elements", []) if isinstance(e.get("text"), str))


def owner_of(conversation):
    home = {SHARED, INTERNAL, "D" + ALICE[1:], ALICE}
    beta = {BETA_SHARED, BETA_INTERNAL, "D" + BEA[1:], BEA, "D" + BEN[1:], BEN}
    return HOME if conversation in home else BETA if conversation in beta else None


def assert_no_crossing(fake_slack, home_answers, beta_answers):
    token_of = TOKENS
    checked = 0
    for call in fake_slack.calls:
        if call["method"] in ("response_url", "upload"):
            continue
        assert call["token"] in token_of.values(), call
        args = call["args"]
        where = args.get("channel") or args.get("user_id") or args.get("users") or args.get("user")
        team = owner_of(where)
        if team is not None:
            assert call["token"] == token_of[team], call
            checked += 1
        text = rendered(args) if "blocks" in args or "text" in args else shown(args["view"]) if "view" in args else ""
        other = BETA_WORDS if call["token"] == TOKENS[HOME] else HOME_WORDS
        assert not any(word in text for word in other), (call["method"], text)
    for team, words in ((HOME, BETA_WORDS), (BETA, HOME_WORDS)):
        for conversation in [c for c in (SHARED, INTERNAL, ALICE, BETA_SHARED, BETA_INTERNAL, BEA)
                             if owner_of(c) == team]:
            for message in fake_slack.messages(conversation, team_id=team):
                assert not any(word in rendered(message) for word in words), (conversation, rendered(message))
    for answers, words in ((home_answers, BETA_WORDS), (beta_answers, HOME_WORDS)):
        for answer in answers:
            assert not any(word in answer.text for word in words), answer.text
    return checked


def test_two_workspaces_work_side_by_side_without_crossing(tenants, fake_slack, clock):
    services, slack = tenants
    home_answers, beta_answers = register_both(slack)
    deliver(services)
    [home_preview] = [m for m in kickoff_previews(fake_slack, ALICE, HOME) if "Acme Website" in rendered(m)]
    [beta_preview] = [m for m in kickoff_previews(fake_slack, BEA, BETA) if "Acme Website" in rendered(m)]
    assert "Home Corp" in rendered(home_preview) and "Beta Client" in rendered(beta_preview)

    slack.button(ids.KICKOFF_APPROVE, buttons(beta_preview)[ids.KICKOFF_APPROVE], user=BEA, team=BETA,
                 channel="D" + BEA[1:], message_ts=beta_preview["ts"])
    slack.button(ids.KICKOFF_APPROVE, buttons(home_preview)[ids.KICKOFF_APPROVE], channel="D" + ALICE[1:],
                 message_ts=home_preview["ts"])
    deliver(services)
    [home_card], [beta_card] = of_kind(fake_slack, SHARED, "kickoff"), of_kind(fake_slack, BETA_SHARED, "kickoff")
    assert "Zeta review" in rendered(home_card) and "Kappa launch" in rendered(beta_card)
    assert fake_slack.calls_to("pins.add", token=TOKENS[BETA]) == [{"channel": BETA_SHARED, "timestamp": beta_card["ts"]}]

    home_list, beta_list = slack.command("list"), slack.command("list", user=BEA, team=BETA)
    assert "Home Secret" in home_list.text and "Beta Secret" not in home_list.text
    assert "Beta Secret" in beta_list.text and "Home Secret" not in beta_list.text
    beta_status = slack.command("status acme-website", user=BEA, team=BETA)
    assert "Kappa launch" in beta_status.text and "Zeta review" not in beta_status.text
    home_answers += [home_list, slack.command("status acme-website")]
    beta_answers += [beta_list, beta_status]

    home_opened(slack, ALICE, HOME)
    home_opened(slack, BEA, BETA)
    [alice_home] = fake_slack.wait_for("views.publish", where=lambda a: a["user_id"] == ALICE)
    [bea_home] = fake_slack.wait_for("views.publish", where=lambda a: a["user_id"] == BEA)
    assert "Acme Website" in shown(bea_home["view"]) and "Beta Secret" in shown(bea_home["view"])
    assert [c["token"] for c in published_to(fake_slack, BEA)] == [TOKENS[BETA]]

    question = fake_slack.add_message(BETA_SHARED, "Could you send the staging link?", user=BOB)
    send_event(slack, services, {"type": "message", "channel": BETA_SHARED, "user": BOB, "team": PARTNER,
                                 "user_team": PARTNER, "text": "Could you send the staging link?",
                                 "ts": question["ts"], "channel_type": "channel", "event_ts": question["ts"]},
               team=BETA, installed=BETA, bot_user=BETA_BOT, ext_shared=True)
    [promise] = rows(services, ResponsePromise)
    with services.sessions() as session:
        assert session.get(Project, promise.project_id).team_id == BETA

    for when in (PREVIEW_AT, UPDATE_AT):
        clock.set(when)
        run_tick(services, when)
    [home_update], [beta_update] = of_kind(fake_slack, SHARED, "update"), of_kind(fake_slack, BETA_SHARED, "update")
    assert "Zeta review" in rendered(home_update) and "Kappa launch" in rendered(beta_update)
    assert {c["team_id"] for c in fake_slack.calls if c["method"] == "chat.postMessage"} == {HOME, BETA}
    assert assert_no_crossing(fake_slack, home_answers, beta_answers) > 20


def test_both_workspaces_can_have_the_same_slug(tenants, fake_slack):
    services, slack = tenants
    register_both(slack)
    with services.sessions() as session:
        found = session.execute(select(Project.team_id, Project.client_name).where(Project.slug == "acme-website")
                                .order_by(Project.team_id)).all()
    assert found == [(BETA, "Beta Client"), (HOME, "Home Corp")]


def test_forged_team_ids_change_nothing(tenants, fake_slack):
    services, slack = tenants
    register_both(slack)
    deliver(services)
    home_project = next(p for p in rows(services, Project) if p.team_id == HOME and p.slug == "acme-website")

    slack.event({"type": "app_home_opened", "user": BEA, "channel": "D" + BEA[1:], "tab": "home",
                 "event_ts": "1718000700.000100"}, team=HOME, installed=BETA, bot_user=BETA_BOT)
    [view] = fake_slack.wait_for("views.publish", where=lambda a: a["user_id"] == BEA)
    assert [c["token"] for c in published_to(fake_slack, BEA)] == [TOKENS[BETA]]
    assert "Beta Secret" in shown(view["view"]) and "Home Secret" not in shown(view["view"])

    fake_slack.reset_calls()
    refused = slack.command("list", user=ALICE, team=BETA)
    assert "Only members of the team" in refused.text and "Secret" not in refused.text
    assert {call["token"] for call in fake_slack.calls} == {TOKENS[BETA]}

    clicked = slack.button(ids.KICKOFF_APPROVE, str(home_project.id), user=BEA, team=BETA,
                           channel="D" + BEA[1:])
    assert clicked.status == 200
    answer = fake_slack.wait_for("response_url", where=lambda a: "no longer exists" in a.get("text", ""))
    assert answer
    assert [card.state for card in rows(services, KickoffCard) if card.project_id == home_project.id] == ["draft"]
    assert of_kind(fake_slack, SHARED, "kickoff") == []


def kickoff_previews(fake_slack, user, team):
    return [m for m in fake_slack.messages(user, team_id=team)
            if m.get("metadata", {}).get("event_payload", {}).get("kind") == "kickoff-preview"]


def test_one_teams_rate_limit_leaves_the_other_alone(tenants, fake_slack):
    services, slack = tenants
    fake_slack.fail_next("chat.postMessage", retry_after=30, token=TOKENS[BETA], times=20)
    register_both(slack)
    deliver(services)
    assert len(kickoff_previews(fake_slack, ALICE, HOME)) == 2
    beta_rows = [r for r in rows(services, OutboxMessage) if r.channel_id == BEA]
    assert beta_rows and all(r.state == "pending" and r.not_before > services.clock.now() for r in beta_rows)


def test_one_teams_revoked_token_leaves_the_other_alone(tenants, fake_slack, clock):
    services, slack = tenants
    register_both(slack)
    deliver(services)
    fake_slack.revoke(TOKENS[HOME])
    clock.set(PREVIEW_AT)
    run_tick(services, PREVIEW_AT)
    beta_previews = [m for m in fake_slack.messages(BEA, team_id=BETA)
                     if m.get("metadata", {}).get("event_payload", {}).get("kind") == "preview"]
    assert len(beta_previews) == 1 and "Kappa launch" in rendered(beta_previews[0])
    home_rows = [r for r in rows(services, OutboxMessage) if r.channel_id == ALICE and r.kind == "preview"]
    assert [(r.state, r.error) for r in home_rows] == [("failed", "token_revoked")]
