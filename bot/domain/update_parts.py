"""Pieces other features contribute to the weekly update, without the update knowing them.

Each provider is called as fn(session=..., project=..., now=...) and returns content, maybe none: NEEDS_FROM_CLIENT
providers give `posts.OwedNeed` items or lines of plain text, EXTRA_SECTIONS providers lines of plain text (user
text is escaped when rendered).
"""
from __future__ import annotations

from collections.abc import Callable

Provider = Callable[..., list]
NEEDS_FROM_CLIENT: list[Provider] = []   # "What we need from you" (owed items)
EXTRA_SECTIONS: list[Provider] = []      # anything else a feature wants the client to see weekly
