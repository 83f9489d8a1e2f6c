"""What every listener and job needs, built once from the settings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from slack_sdk import WebClient
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import bot.domain.history  # noqa: F401  (its flush observer writes the record)
from bot.clock import Clock, SystemClock
from bot.db import make_engine, read_only_session_factory, session_factory
from bot.i18n import configure as configure_languages
from bot.secrets import Sealer, redact_tokens_in_logs
from bot.settings import Settings
from bot.slack.delivery import Dispatcher
from bot.slack.gateway import SlackGateway
from bot.slack.installations import InstallationStore
from bot.slack.pacing import Rate, pacer_for


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    gateway: SlackGateway
    clock: Clock
    dispatcher: Dispatcher

    @cached_property
    def readers(self) -> sessionmaker[Session]:
        """Sessions for read-only requests, which then never wait for a writer's lock on SQLite."""
        return read_only_session_factory(self.engine)

    @cached_property
    def installations(self) -> InstallationStore | None:
        """Distribution mode's installations (tokens sealed at rest); None in single-workspace mode."""
        if not self.settings.distribution:
            return None
        settings = self.settings
        rotator = TokenRotator(client_id=settings.client_id, client_secret=settings.client_secret,
                               client=WebClient(base_url=settings.api_url or WebClient.BASE_URL, timeout=10))
        return InstallationStore(settings.client_id, self.engine, Sealer(settings.encryption_keys), rotator=rotator)

    @cached_property
    def team_id(self) -> str:
        """The workspace that installed the bot: only its members manage projects."""
        return self.gateway.identity()["team_id"]

    @cached_property
    def bot_user_id(self) -> str:
        return self.gateway.identity()["user_id"]

    def close(self) -> None:
        self.dispatcher.close()
        self.gateway.close()
        self.engine.dispose()


def build_services(settings: Settings, *, clock: Clock | None = None, dispatcher_threads: int = 64) -> Services:
    clock = clock or SystemClock()
    redact_tokens_in_logs()
    configure_languages(team=settings.team_lang, default=settings.default_lang)
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    gateway = SlackGateway(settings.bot_token, base_url=settings.api_url)
    gateway.pacer = pacer_for(engine, workspace=Rate(settings.workspace_rate, settings.workspace_burst),
                              channel=Rate(settings.channel_rate, settings.channel_burst))
    dispatcher = Dispatcher(sessions, gateway, clock, threads=dispatcher_threads, pacer=gateway.pacer,
                            settle=timedelta(seconds=settings.settle_seconds))
    return Services(settings, engine, sessions, gateway, clock, dispatcher)
