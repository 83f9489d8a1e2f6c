"""Rows belong to one workspace: while a request of a team is served, its sessions see only that team's rows.

Tables with a `team_id` are filtered on it; tables with a `project_id` through their project's team. Other
tables (votes, moves) are reached only through such a parent. Explicit filters in the domain stay, and every row
found by an id from a payload (a button's value, a modal's metadata, an event's item) goes through `owned`,
which compares its team with the served one itself.

The served team is known twice: sessions made for a request are pinned to its team (`pinned`, in session.info),
and the request's context holds it (`serving`, a ContextVar, for any other session opened while serving). Both
must agree. A Core statement on a tenant table, which no ORM criteria can filter, is refused while serving.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy import Table, event, select
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, sessionmaker, with_loader_criteria
from sqlalchemy.sql import visitors

from bot.models import Base, Project

log = logging.getLogger(__name__)
T = TypeVar("T")
TEAM = "expect_serving_team"  # session.info key of a pinned session
NOBODY = "\x00nobody"  # served while a request has not said whose it is yet: no row matches
_serving: ContextVar[str | None] = ContextVar("serving_team", default=None)


class CrossedTeams(RuntimeError):
    """A statement would reach rows no criteria can limit to the served team, or two teams claim one session."""


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


class PinnedSessions:
    """A sessionmaker whose sessions serve one team, in whatever thread or context they are used."""

    def __init__(self, sessions: sessionmaker, team_id: str):
        self.sessions, self.team_id = sessions, team_id

    def __call__(self, **kw) -> Session:
        info = {**kw.pop("info", {}), TEAM: self.team_id}
        return self.sessions(**kw, info=info)

    @contextmanager
    def begin(self) -> Iterator[Session]:
        with self() as session, session.begin():
            yield session

    def __getattr__(self, name: str):
        return getattr(self.sessions, name)


def pinned(sessions: sessionmaker | PinnedSessions, team_id: str) -> PinnedSessions:
    """`sessions` as one team's request uses them."""
    return PinnedSessions(getattr(sessions, "sessions", sessions), team_id)


def team_of(session: Session) -> str | None:
    """The team `session` serves: its pinned team, else the context's; None outside any request (jobs)."""
    pinned_team, current = session.info.get(TEAM), _serving.get()
    if pinned_team and current not in (None, NOBODY, pinned_team):
        raise CrossedTeams(f"a session of team {pinned_team} used while serving team {current}")
    return pinned_team or current


def owned(session: Session, model: type[T], row_id: int | None) -> T | None:
    """`session.get` for an id that came from a payload: the row, or None when it belongs to another team than the
    one the session serves (checked here on the row itself, whatever the statement guard did)."""
    row = session.get(model, row_id) if row_id is not None else None
    team = team_of(session)
    if row is None or team is None:
        return row
    if hasattr(row, "team_id"):
        owner = row.team_id
    else:
        owner = session.scalar(select(Project.team_id).where(Project.id == row.project_id))
    if owner != team:
        log.warning("team %s asked for %s %s of team %s: refused", team, model.__name__, row_id, owner)
        return None
    return row


def guard(sessions: sessionmaker) -> None:
    """Filter every ORM statement of `sessions` by the team being served."""
    if not event.contains(sessions, "do_orm_execute", _only_the_serving_team):
        event.listen(sessions, "do_orm_execute", _only_the_serving_team)


_TENANT: dict[Table, Mapper] = {}
_tenant_lock = threading.Lock()


def tenant_mappers() -> dict[Table, Mapper]:
    """Every mapped table that belongs to one workspace (a `team_id` or `project_id` column), with its mapper."""
    with _tenant_lock:
        if not _TENANT:
            _TENANT.update({mapper.local_table: mapper for mapper in Base.registry.mappers
                            if {"team_id", "project_id"} & set(mapper.columns.keys())})
        return _TENANT


def _tables_in(statement) -> set:
    found: set = set()

    def column(element) -> None:
        if element.table is not None:
            found.add(element.table)

    visitors.traverse(statement, {}, {"table": found.add, "column": column})
    return {table._deannotate() for table in found}


def _only_the_serving_team(state: ORMExecuteState) -> None:
    team = team_of(state.session)
    if team is None or state.is_column_load or state.is_relationship_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    tenants = tenant_mappers()
    mappers = {mapper for mapper in state.all_mappers if mapper.local_table in tenants}
    mappers |= {tenants[table] for table in _tables_in(state.statement) if table in tenants}
    if not mappers:
        return
    if not state.is_orm_statement:
        names = ", ".join(sorted(mapper.local_table.name for mapper in mappers))
        raise CrossedTeams(f"a Core statement on {names} while serving a team: use the mapped classes")
    state.statement = state.statement.options(*(_criteria(mapper, team) for mapper in mappers))


def _criteria(mapper: Mapper, team: str):
    if "team_id" in mapper.columns:
        return with_loader_criteria(mapper.class_, lambda cls: cls.team_id == team, include_aliases=True)
    return with_loader_criteria(
        mapper.class_, lambda cls: cls.project_id.in_(select(Project.id).where(Project.team_id == team)),
        include_aliases=True)
