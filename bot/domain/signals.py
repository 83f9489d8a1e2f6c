"""Things that happen in the domain, for features that follow up on them (a kickoff card, a check-in...).

Receivers run inside the caller's transaction, with the session as a keyword argument.
"""
from __future__ import annotations

from collections.abc import Callable


class Signal:
    def __init__(self, name: str):
        self.name = name
        self._receivers: list[Callable[..., None]] = []

    def connect(self, receiver: Callable[..., None]) -> Callable[..., None]:
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def send(self, **kwargs) -> None:
        for receiver in list(self._receivers):
            receiver(**kwargs)


project_created = Signal("project_created")      # session, project, now
milestone_added = Signal("milestone_added")      # session, project, milestone, now
milestone_done = Signal("milestone_done")        # session, project, milestone, by, now
project_changed = Signal("project_changed")      # session, project, changes: dict[str, tuple[old, new]], now
