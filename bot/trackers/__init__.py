"""The trackers `/expect link` can follow, one `Kind` each in KINDS; the rules that use them live in
bot/domain/trackers.py.

A kind reads its `kind=` value and options into (target, wanted), finds the remote milestone (GitHub milestone,
Jira version or epic, Linear project...) and builds its client from the settings. A ref written `<noun>:<id>`
(`version:10001`) names what it is in messages; a bare ref is a milestone.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.trackers import NAMES, MilestoneSnapshot, TrackerClient
from bot.models.trackers import TrackerLink
from bot.settings import Settings, missing_tracker_settings
from bot.trackers import github, jira, linear


@dataclass(frozen=True)
class Kind:
    """One tracker: `parse(value, options) -> (target, wanted)` raises UserError on malformed input;
    `find(client, target, wanted) -> snapshot` raises TrackerError with the tracker's own words."""

    name: str
    options: tuple[str, ...]
    parse: Callable[[str, dict[str, str]], tuple[str, str]]
    find: Callable[[Any, str, str], MilestoneSnapshot]
    client: Callable[[Settings], TrackerClient]
    example: str
    setup_hint: str = ""


KINDS: dict[str, Kind] = {
    "github": Kind(NAMES["github"], ("milestone",), github.parse_link, github.find, github.from_settings,
                   github.LINK_EXAMPLE, " (and GITHUB_API_URL for GitHub Enterprise Server)"),
    "jira": Kind(NAMES["jira"], ("version", "epic"), jira.parse_link, jira.find, jira.from_settings, jira.LINK_EXAMPLE),
    "linear": Kind(NAMES["linear"], (), linear.parse_link, linear.find, linear.from_settings, linear.LINK_EXAMPLE),
}


def missing_settings(session: Session, settings: Settings) -> list[str]:
    """One sentence per tracker that has links but lacks its credentials (the start-up check prints them)."""
    problems = []
    for kind, count in session.execute(select(TrackerLink.kind, func.count()).group_by(TrackerLink.kind)):
        missing = missing_tracker_settings(settings, kind)
        if missing:
            verb = "are" if len(missing) > 1 else "is"
            problems.append(f"{' and '.join(missing)} {verb} not set, so {count} milestone link(s) to "
                            f"{NAMES.get(kind, kind)} will not sync")
    return problems


def clients_for(settings: Settings) -> dict[str, TrackerClient]:
    """A client for every tracker whose credentials are set."""
    return {kind: found.client(settings) for kind, found in KINDS.items()
            if not missing_tracker_settings(settings, kind)}
