"""Bolt's OAuth flow for distribution mode: GET /slack/install and GET /slack/oauth_redirect."""
from __future__ import annotations

import logging
import re
from functools import partial

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.domain import workspaces
from bot.install_pages import failure_page, install_page, success_page
from bot.slack.installations import ROTATE_MINUTES, STATE_SECONDS, OAuthStateStore

log = logging.getLogger("expect.install")
INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"
BOT_SCOPES = ["commands", "chat:write", "channels:read", "groups:read", "channels:history", "groups:history",
              "users:read", "pins:write", "reactions:read", "im:write", "im:history", "files:write"]


class ExpectOAuthFlow(OAuthFlow):
    """Bolt's flow, with our own install page (no images or scripts from Slack's servers)."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return install_page(url, self.settings.scopes)


def oauth_flow(services) -> ExpectOAuthFlow:
    """The flow for distribution mode; oauth.v2.access goes to SLACK_API_URL like every other call."""
    settings = services.settings
    client = WebClient(base_url=settings.api_url or WebClient.BASE_URL, timeout=10)
    return ExpectOAuthFlow(client=client, settings=OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=BOT_SCOPES,
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=settings.authorize_url,
        installation_store=services.installations,
        state_store=OAuthStateStore(services.engine, services.clock),
        state_expiration_seconds=STATE_SECONDS,
        token_rotation_expiration_minutes=ROTATE_MINUTES,
        callback_options=CallbackOptions(success=partial(_installed, services), failure=_not_installed),
    ), logger=log)


def _installed(services, args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    _resume(services, installation)
    log.info("installed in %s (enterprise %s, org-wide: %s)", installation.team_id, installation.enterprise_id,
             installation.is_enterprise_install)
    name = installation.team_name or installation.enterprise_name
    return _html(200, success_page(name), args.settings)


def _resume(services, installation) -> None:
    """A workspace paused by its uninstall, back within the retention period: its projects go on (an org-wide
    install: those of every workspace of the Grid org)."""
    now = services.clock.now()
    with services.sessions.begin() as session:
        if installation.is_enterprise_install:
            resumed = workspaces.resume_enterprise(session, enterprise_id=installation.enterprise_id, now=now)
        else:
            resumed = workspaces.resume(session, team_id=installation.team_id, now=now)
    if resumed:
        services.dispatcher.kick()


def _not_installed(args: FailureArgs) -> BoltResponse:
    # Slack's `error=` parameter arrives as the reason: anything but a plain code is logged quoted.
    reason = args.reason if re.fullmatch(r"[a-z_]{1,64}", args.reason or "") else repr((args.reason or "")[:64])
    log.warning("installation failed: %s%s", reason, f" ({args.error!r})" if args.error else "")
    return _html(args.suggested_status_code, failure_page(args.reason), args.settings)


def _html(status: int, body: str, settings: OAuthSettings) -> BoltResponse:
    return BoltResponse(status=status, body=body, headers={
        "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
        "Set-Cookie": [settings.state_utils.build_set_cookie_for_deletion()]})


def failed_response(settings: OAuthSettings) -> BoltResponse:
    """The failure page when the flow itself raised (Slack unreachable, the database down)."""
    return _html(500, failure_page("exception"), settings)
