"""Which workspace a request or a job serves, and a gateway that holds that workspace's own bot token.

In distribution mode the bot token of each workspace comes from the installation store; nothing uses a
process-wide token. Gateways are kept per workspace and replaced as soon as the store (or Bolt's authorize) hands
out another token; a token Slack refuses is dropped at once.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from slack_sdk.oauth.installation_store import InstallationStore

from bot.slack.gateway import SlackError, SlackGateway

RECHECK_SECONDS = 60.0  # a job's gateway asks the store again after this long (rotated or revoked tokens)


class BotFinder(Protocol):
    def find_bot(self, enterprise_id: str | None, team_id: str | None) -> tuple[str, str] | None:
        """(bot token, bot user id) of the workspace's installation, or None when it has none."""


class NotInstalled(SlackError):
    """The workspace has no installation (never installed, uninstalled, or its token was revoked)."""

    def __init__(self, team_id: str | None):
        super().__init__("not_installed", f"installation of {team_id}")


@dataclass(frozen=True)
class Workspace:
    team_id: str
    enterprise_id: str | None
    bot_user_id: str
    gateway: SlackGateway


class Workspaces:
    """Gateways per workspace, built on demand from the bot tokens `finder` knows."""

    def __init__(self, finder: BotFinder, make_gateway: Callable[[str, dict], SlackGateway], *,
                 recheck: float = RECHECK_SECONDS, monotonic: Callable[[], float] = time.monotonic):
        self.finder, self._make, self.recheck, self._monotonic = finder, make_gateway, recheck, monotonic
        self._known: dict[tuple[str | None, str], tuple[float, Workspace]] = {}
        self._lock = threading.Lock()

    def get(self, team_id: str, enterprise_id: str | None = None, *, token: str | None = None,
            bot_user_id: str | None = None) -> Workspace:
        """The workspace `team_id` (of `enterprise_id`), with `token` when the caller has a fresh one (Bolt's
        authorize result), else with the one the store holds. Raises NotInstalled when there is none."""
        key, now = (enterprise_id or None, team_id), self._monotonic()
        with self._lock:
            checked, known = self._known.get(key, (0.0, None))
        if token is None and known is not None and now - checked < self.recheck:
            return known
        if token is None:
            found = self.finder.find_bot(enterprise_id or None, team_id)
            if found is None:
                self.forget(team_id, enterprise_id)
                raise NotInstalled(team_id)
            token, bot_user_id = found
        if known is None or known.gateway.token != token:
            gateway = self._make(token, {"team_id": team_id, "user_id": bot_user_id})
            known = Workspace(team_id, enterprise_id or None, bot_user_id or "", gateway)
        with self._lock:
            self._known[key] = (now, known)
        return known

    def forget(self, team_id: str | None, enterprise_id: str | None = None, *, org_wide: bool = False) -> None:
        """Drop the workspace's gateway (`org_wide`: those of every workspace of the Grid org): the next call asks
        the store again."""
        with self._lock:
            if org_wide and enterprise_id:
                for key in [k for k in self._known if k[0] == enterprise_id]:
                    del self._known[key]
            self._known.pop((enterprise_id or None, team_id), None)

    def refused(self, team_id: str, enterprise_id: str | None, error: Exception) -> None:
        """Slack refused the workspace's token: forget it, so that a new one is looked up."""
        if isinstance(error, SlackError) and error.auth_broken:
            self.forget(team_id, enterprise_id)


class InstalledBots:
    """A BotFinder over slack_sdk's installation store: the workspace's own installation, else its Grid org's
    (an org-wide install serves every workspace of the org)."""

    def __init__(self, store: InstallationStore):
        self.store = store

    def find_bot(self, enterprise_id: str | None, team_id: str | None) -> tuple[str, str] | None:
        bot = self.store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None and enterprise_id:
            bot = self.store.find_bot(enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True)
        return (bot.bot_token, bot.bot_user_id) if bot is not None and bot.bot_token else None
