"""`/expect <subcommand>`: a registry of subcommands, each a function (context, args) -> reply."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.commands.parse import Args
from bot.domain.errors import UserError
from bot.settings import Settings
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
    settings: Settings | None = None
    enterprise_id: str | None = None


Handler = Callable[[CommandContext, Args], dict]
_OPTION = re.compile(r"([a-z][\w-]*)=")
_FLAG = re.compile(r"\[([a-z]+)\]")


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
            read_only: bool = False, example: str | None = None) -> Callable[[Handler], Handler]:
    """Register a subcommand; `usage` is shown in help, `example` (else `usage`) in error replies. `read_only` ones
    change nothing.

    The `key=` options and `[flag]` words written in `usage` are the only ones the subcommand accepts: help and
    the check cannot disagree. Anything else is refused before the handler runs, so nothing changes.
    """
    options, flags = frozenset(_OPTION.findall(usage)), frozenset(_FLAG.findall(usage))

    def register(handler: Handler) -> Handler:
        def checked(ctx: CommandContext, args: Args) -> dict:
            if args.sub == name:
                refuse_unknown(name, example or usage, options, flags, args)
            return handler(ctx, args)
        COMMANDS[name] = Command(name, usage, summary, checked, public, read_only)
        return handler
    return register


def reads_only(text: str) -> bool:
    """Whether `/expect <text>` names a subcommand that only reads."""
    words = (text or "").split(maxsplit=1)
    chosen = COMMANDS.get(words[0].lower() if words else "help")
    return bool(chosen and chosen.read_only)


def refuse_unknown(name: str, example: str, options: frozenset[str], flags: frozenset[str], args: Args) -> None:
    unknown = sorted(f"{key}=" for key in set(args.options) - options) + sorted(set(args.flags) - flags)
    if not unknown:
        return
    known = ", ".join(f"`{key}=`" for key in sorted(options)) + "".join(f", `{flag}`" for flag in sorted(flags))
    takes = f"`{name}` understands {known}." if known else f"`{name}` takes no options."
    example = example if example.startswith("/") else f"/expect {example}"
    raise UserError(f"I don't know `{unknown[0]}`. {takes} Nothing was changed.", example)


def load_all() -> None:
    """Import every module that registers subcommands."""
    from bot.commands import core  # noqa: F401
    from bot.commands import calendar, delays, expectations, lifecycle, report, trackers, updates  # noqa: F401
