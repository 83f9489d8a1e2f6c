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
    read_only: bool = False


COMMANDS: dict[str, Command] = {}


def command(name: str, *, usage: str, summary: str, public: bool = False,
            read_only: bool = False) -> Callable[[Handler], Handler]:
    """Register a subcommand; `usage` is shown in help and in error replies. `read_only` ones change nothing."""
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = Command(name, usage, summary, handler, public, read_only)
        return handler
    return register


def reads_only(text: str) -> bool:
    """Whether `/expect <text>` names a subcommand that only reads."""
    words = (text or "").split(maxsplit=1)
    chosen = COMMANDS.get(words[0].lower() if words else "help")
    return bool(chosen and chosen.read_only)


def load_all() -> None:
    """Import every module that registers subcommands."""
    from bot.commands import core  # noqa: F401
    from bot.commands import calendar, delays, expectations, updates  # noqa: F401
