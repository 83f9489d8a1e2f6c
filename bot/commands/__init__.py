"""`/expect <subcommand>`: a registry of subcommands, each a function (context, args) -> reply."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.commands.parse import Args
from bot.slack.gateway import SlackGateway


@dataclass
class CommandContext:
    session: Session
    team_id: str
    user_id: str
    channel_id: str
    trigger_id: str
    now: datetime
    gateway: SlackGateway
    after_commit: list[Callable[[], None]]


Handler = Callable[[CommandContext, Args], dict]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    handler: Handler
    public: bool = False


COMMANDS: dict[str, Command] = {}


def command(name: str, *, usage: str, summary: str, public: bool = False) -> Callable[[Handler], Handler]:
    """Register a subcommand; `usage` is shown in help and in error replies."""
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = Command(name, usage, summary, handler, public)
        return handler
    return register


def load_all() -> None:
    """Import every module that registers subcommands."""
    from bot.commands import core  # noqa: F401
    from bot.commands import calendar, delays, expectations, updates  # noqa: F401
