"""slack_sdk's installation, bot and OAuth state tables (its SQLAlchemy stores), in our metadata so that Alembic
creates them. Secret columns are Text: they hold Fernet ciphertext, longer than the tokens they were sized for."""
from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table, Text
from sqlalchemy.types import TypeEngine

from bot.models.base import Base

SECRET_COLUMNS = {
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token",
                            "incoming_webhook_url"),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}


def slack_tables(metadata: MetaData, secret: TypeEngine | None = None) -> tuple[Table, Table, Table]:
    """The installations, bots and OAuth states tables, their secret columns typed `secret` (Text by default)."""
    installations = SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    bots = SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    states = SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    for table in (installations, bots):
        for name in SECRET_COLUMNS[table.name]:
            table.c[name].type = secret if secret is not None else Text()
    return installations, bots, states


INSTALLATIONS, BOTS, OAUTH_STATES = slack_tables(Base.metadata)
