"""Rows belong to one workspace: while a request of a team is served, its sessions see only that team's rows.

Tables with a `team_id` are filtered on it; tables with a `project_id` through their project's team. Other
tables (votes, moves) are reached only through such a parent. Explicit filters in the domain stay: this is the
guard that also covers every access by id (a button's value, a modal's metadata).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, sessionmaker, with_loader_criteria

from bot.models import Project

_serving: ContextVar[str | None] = ContextVar("serving_team", default=None)


def serving_team() -> str | None:
    """The team whose request this thread is serving, if any."""
    return _serving.get()


def serve(team_id: str | None) -> None:
    """From now on in this context, sessions see only `team_id`'s rows (the caller's context ends the scope)."""
    _serving.set(team_id)


@contextmanager
def serving(team_id: str | None) -> Iterator[None]:
    """Sessions in this block see only `team_id`'s rows (None: every row)."""
    token = _serving.set(team_id)
    try:
        yield
    finally:
        _serving.reset(token)


def guard(sessions: sessionmaker) -> None:
    """Filter every ORM statement of `sessions` by the team being served."""
    if not event.contains(sessions, "do_orm_execute", _only_the_serving_team):
        event.listen(sessions, "do_orm_execute", _only_the_serving_team)


def _only_the_serving_team(state: ORMExecuteState) -> None:
    team = _serving.get()
    if team is None or state.is_column_load or state.is_relationship_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    options = []
    for mapper in state.all_mappers:
        if "team_id" in mapper.columns:
            options.append(with_loader_criteria(mapper.class_, lambda cls: cls.team_id == team, include_aliases=True))
        elif "project_id" in mapper.columns:
            options.append(with_loader_criteria(
                mapper.class_, lambda cls: cls.project_id.in_(select(Project.id).where(Project.team_id == team)),
                include_aliases=True))
    if options:
        state.statement = state.statement.options(*options)
