"""Installations in distribution mode: slack_sdk's SQLAlchemy installation and OAuth state stores on our own
database (tables from the Alembic migrations), with every token sealed by EXPECT_ENCRYPTION_KEY before it is
written and opened again when it is read."""
from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta, timezone

from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import MetaData, Text, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from bot.clock import Clock
from bot.models.installations import BOTS, INSTALLATIONS, OAUTH_STATES, SECRET_COLUMNS, slack_tables
from bot.secrets import Sealer

log = logging.getLogger("expect.installations")
STATE_SECONDS = 600
ROTATE_MINUTES = 120  # refresh a bot token with less than this left (Slack's last 12 hours); Bolt's default


class Sealed(TypeDecorator):
    """Text sealed on the way into the database and opened on the way out."""

    impl = Text
    cache_ok = True

    def __init__(self, sealer: Sealer):
        super().__init__()
        self.sealer = sealer

    def process_bind_param(self, value, dialect):
        return None if value is None else self.sealer.seal(value)

    def process_result_value(self, value, dialect):
        return None if value is None else self.sealer.open(value)


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy store whose token columns hold only ciphertext. Given a TokenRotator, `find_bot`
    refreshes an expiring bot token first (Bolt does the same for requests; this is for the worker)."""

    def __init__(self, client_id: str, engine: Engine, sealer: Sealer, *, rotator: TokenRotator | None = None):
        super().__init__(client_id, engine, logger=log)
        self.metadata = MetaData()
        self.installations, self.bots, _ = slack_tables(self.metadata, Sealed(sealer))
        self.rotator = rotator

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        """The workspace's (or, org-wide, the enterprise's) latest bot, its token refreshed if it is expiring."""
        bot = super().find_bot(enterprise_id=enterprise_id, team_id=team_id,
                               is_enterprise_install=is_enterprise_install)
        if bot is None or self.rotator is None or bot.bot_refresh_token is None:
            return bot
        fresh = self.rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=ROTATE_MINUTES)
        if fresh is None:
            return bot
        self.save_bot(fresh)
        self._installation_follows(fresh)
        return fresh

    def _installation_follows(self, bot: Bot) -> None:
        # The installation row carries the same bot token; left stale, the next request would refresh again.
        c = self.installations.c
        with self.engine.begin() as connection:
            connection.execute(update(self.installations).where(
                c.client_id == self.client_id, c.enterprise_id == bot.enterprise_id, c.team_id == bot.team_id,
                c.installed_at == _utc(bot.installed_at),
            ).values(bot_token=bot.bot_token, bot_refresh_token=bot.bot_refresh_token,
                     bot_token_expires_at=_utc(bot.bot_token_expires_at)))

    def create_tables(self):
        raise RuntimeError("the installation tables come from the migrations: run `expect db upgrade`")


class OAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's SQLAlchemy state store, on the injected clock: a state is good once, for ten minutes."""

    def __init__(self, engine: Engine, clock: Clock, expiration_seconds: int = STATE_SECONDS):
        super().__init__(expiration_seconds, engine, logger=log)
        self.oauth_states, self.clock = OAUTH_STATES, clock

    def create_tables(self):
        raise RuntimeError("the OAuth state table comes from the migrations: run `expect db upgrade`")

    def issue(self, *args, **kwargs) -> str:
        now = self._now()
        state = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(delete(OAUTH_STATES).where(OAUTH_STATES.c.expire_at <= now))
            connection.execute(insert(OAUTH_STATES).values(
                state=state, expire_at=now + timedelta(seconds=self.expiration_seconds)))
        return state

    def consume(self, state: str) -> bool:
        # One DELETE decides: of two redirects racing with the same state, only one removes the row.
        with self.engine.begin() as connection:
            gone = connection.execute(delete(OAUTH_STATES).where(
                OAUTH_STATES.c.state == state, OAUTH_STATES.c.expire_at > self._now()))
        return gone.rowcount == 1

    def _now(self):
        return self.clock.now().replace(tzinfo=None)


def _utc(timestamp: float) -> datetime:
    return normalize_datetime_for_db(datetime.fromtimestamp(timestamp, timezone.utc))


def reseal_all(engine: Engine, sealer: Sealer) -> int:
    """Seal every stored secret again with the first key, in one transaction; return how many were resealed."""
    count = 0
    with engine.begin() as connection:
        for table in (INSTALLATIONS, BOTS):
            columns = [table.c[name] for name in SECRET_COLUMNS[table.name]]
            for row in connection.execute(select(table.c.id, *columns)).mappings().all():
                values = {c.name: sealer.reseal(row[c.name]) for c in columns if row[c.name] is not None}
                if values:
                    connection.execute(update(table).where(table.c.id == row["id"]).values(**values))
                    count += len(values)
    return count
