"""Pieces other features contribute to the weekly update, without the update knowing them.

Each provider is called as fn(session=..., project=..., now=...) and returns lines of mrkdwn (maybe none).
"""
from __future__ import annotations

from collections.abc import Callable

Provider = Callable[..., list[str]]
NEEDS_FROM_CLIENT: list[Provider] = []   # "What we need from you" (owed items)
EXTRA_SECTIONS: list[Provider] = []      # anything else a feature wants the client to see weekly
