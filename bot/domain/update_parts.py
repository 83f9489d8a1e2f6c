"""Pieces other features contribute to the weekly update, without the update knowing them.

Each provider is called as fn(session=..., project=..., now=...) and returns content, maybe none: NEEDS_FROM_CLIENT
providers give `posts.OwedNeed` items or lines of plain text, EXTRA_SECTIONS providers lines of plain text (user
text is escaped when rendered).
A feature may also register a PRELOADS function (session, projects): called once before a batch of updates is
composed, it loads in one query what its provider would otherwise ask for project by project.
"""
from __future__ import annotations

from collections.abc import Callable

Provider = Callable[..., list]
NEEDS_FROM_CLIENT: list[Provider] = []   # "What we need from you" (owed items)
EXTRA_SECTIONS: list[Provider] = []      # anything else a feature wants the client to see weekly
PRELOADS: list[Callable[..., None]] = []


def preload(session, projects: list) -> None:
    """Let every feature load what it needs for these projects' updates in one go."""
    for load in PRELOADS:
        load(session, projects)
