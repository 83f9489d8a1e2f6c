"""What every listener and job needs, built once from the settings."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cached_property

from slack_sdk import WebClient
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import bot.domain.history  # noqa: F401  (its flush observer writes the record)
from bot.domain import tenancy
from bot.clock import Clock, SystemClock
from bot.db import make_engine, read_only_session_factory, session_factory
from bot.i18n import configure as configure_languages
from bot.secrets import Sealer, redact_tokens_in_logs
from bot.settings import Settings
from bot.slack.delivery import Dispatcher
from bot.slack.gateway import SlackGateway
from bot.slack.installations import InstallationStore
from bot.slack.pacing import Rate, pacer_for
from bot.slack.workspaces import BotFinder, InstalledBots, Workspace, Workspaces


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    gateway: SlackGateway
    clock: Clock
    dispatcher: Dispatcher
    workspaces: Workspaces | None = None  # distribution mode: each workspace's own gateway
    workspace: Workspace | None = None    # on the copy `serving` hands a request: the workspace it serves

    @cached_property
    def readers(self) -> sessionmaker[Session]:
        """Sessions for read-only requests, which then never wait for a writer's lock on SQLite."""
        readers = read_only_session_factory(self.engine)
        if self.workspaces is not None:
            tenancy.guard(readers)
        return readers

    @cached_property
    def installations(self) -> InstallationStore | None:
        """Distribution mode's installations (tokens sealed at rest); None in single-workspace mode."""
        return installation_store(self.settings, self.engine)

    @property
    def team_id(self) -> str:
        """The workspace served (in single-workspace mode the one that installed the bot): only its members
        manage its projects."""
        return self.workspace.team_id if self.workspace else self.gateway.identity()["team_id"]

    @property
    def enterprise_id(self) -> str | None:
        return self.workspace.enterprise_id if self.workspace else self.gateway.identity().get("enterprise_id")

    @property
    def bot_user_id(self) -> str:
        return self.workspace.bot_user_id if self.workspace else self.gateway.identity()["user_id"]

    def serving(self, team_id: str | None, enterprise_id: str | None = None, *, token: str | None = None,
                bot_user_id: str | None = None) -> Services:
        """The services as a request of `team_id` sees them: its ids and its gateway (`token`, fresh from Bolt's
        authorize). In single-workspace mode, these services themselves."""
        if self.workspaces is None:
            return self
        if token is None:  # Bolt authorizes app_uninstalled / tokens_revoked without one: no Slack calls then
            return self._as(Workspace(team_id, enterprise_id, "", self.gateway))
        workspace = self.workspaces.get(team_id, enterprise_id, token=token, bot_user_id=bot_user_id)
        return self._as(workspace)

    def _as(self, workspace: Workspace) -> Services:
        # Its sessions are pinned to the workspace: they see only its rows, in any thread (tenancy).
        served = replace(self, gateway=workspace.gateway, workspace=workspace,
                         sessions=tenancy.pinned(self.sessions, workspace.team_id))
        served.__dict__.update(readers=tenancy.pinned(self.readers, workspace.team_id),
                               installations=self.installations)
        return served

    def slack_for(self, team_id: str, enterprise_id: str | None = None) -> SlackGateway:
        """The gateway holding `team_id`'s bot token (the one gateway in single-workspace mode)."""
        if self.workspaces is None:
            return self.gateway
        return self.workspaces.get(team_id, enterprise_id).gateway

    def close(self) -> None:
        self.dispatcher.close()
        self.gateway.close()
        if "readers" in self.__dict__:
            self.readers.kw["bind"].dispose()
        self.engine.dispose()


def installation_store(settings: Settings, engine: Engine) -> InstallationStore | None:
    """Distribution mode's installations, refreshing expiring bot tokens through SLACK_API_URL."""
    if not settings.distribution:
        return None
    rotator = TokenRotator(client_id=settings.client_id, client_secret=settings.client_secret,
                           client=WebClient(base_url=settings.api_url or WebClient.BASE_URL, timeout=10))
    return InstallationStore(settings.client_id, engine, Sealer(settings.encryption_keys), rotator=rotator)


def build_services(settings: Settings, *, clock: Clock | None = None, dispatcher_threads: int = 64,
                   bots: BotFinder | None = None) -> Services:
    """`bots` (distribution mode): where each workspace's bot token is found; there is then no process-wide one."""
    clock = clock or SystemClock()
    redact_tokens_in_logs()
    configure_languages(team=settings.team_lang, default=settings.default_lang)
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    gateway = SlackGateway(None if bots else settings.bot_token, base_url=settings.api_url)
    gateway.pacer = pacer_for(engine, workspace=Rate(settings.workspace_rate, settings.workspace_burst),
                              channel=Rate(settings.channel_rate, settings.channel_burst))
    workspaces = store = None
    if bots is None and settings.distribution:
        store = installation_store(settings, engine)
        bots = InstalledBots(store)
    if bots is not None:
        def workspace_gateway(token: str, identity: dict) -> SlackGateway:
            made = SlackGateway(token, base_url=settings.api_url, identity=identity)
            made.pacer = gateway.pacer
            return made
        workspaces = Workspaces(bots, workspace_gateway)
        tenancy.guard(sessions)
    dispatcher = Dispatcher(sessions, gateway, clock, threads=dispatcher_threads, pacer=gateway.pacer,
                            settle=timedelta(seconds=settings.settle_seconds), workspaces=workspaces)
    services = Services(settings, engine, sessions, gateway, clock, dispatcher, workspaces)
    if store is not None:
        services.__dict__["installations"] = store
    return services
