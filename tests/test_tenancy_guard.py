from datetime import date, datetime, timezone

import pytest
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Text, event, func, insert, select
from sqlalchemy.orm import sessionmaker

from bot import ids
from bot.db import make_engine, session_factory
from bot.domain import tenancy
from bot.models import Base, Project
from bot.models.expectations import KickoffCard
from tests.expectations_support import deliver, of_kind, rows
from tests.slackreq import SHARED
from tests.test_tenancy import BEA, BETA, HOME, register_both, tenants  # noqa: F401  (the fixture)

A, B = "T0AAAAAAA1", "T0BBBBBBB2"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


def tenant_models():
    return sorted((m.class_ for m in Base.registry.mappers if {"team_id", "project_id"} & set(m.columns.keys())),
                  key=lambda cls: cls.__name__)


def target(column):
    return next(iter(column.foreign_keys)).column.table.name if column.foreign_keys else None


def wanted(column, team, made):
    if column.name == "team_id" or (target(column), team) in made:
        return True
    return not (column.primary_key or column.nullable or column.default is not None
                or column.server_default is not None)


def filler(column, team, made):
    if column.name == "team_id":
        return team
    if column.foreign_keys:
        return made[(target(column), team)]
    kind = getattr(column.type, "impl", column.type)
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, (Integer, Float)):
        return 1
    if isinstance(kind, DateTime):
        return NOW
    if isinstance(kind, Date):
        return date(2026, 12, 1)
    if isinstance(kind, (String, Text)):
        return f"{team}-{column.name}"[: getattr(kind, "length", None) or 200]
    return {}


@pytest.fixture
def both(database_url):
    engine = make_engine(database_url)
    made = {}
    tenants = {model.__table__ for model in tenant_models()}
    with engine.begin() as connection:
        for table in [t for t in Base.metadata.sorted_tables if t in tenants]:
            for team in (A, B):
                values = {c.name: filler(c, team, made) for c in table.columns if wanted(c, team, made)}
                made[(table.name, team)] = connection.execute(
                    insert(table).values(**values).returning(*table.primary_key.columns)).scalar()
    sessions = session_factory(engine)
    tenancy.guard(sessions)
    yield sessions, made
    engine.dispose()


def test_every_tenant_table_is_limited_to_the_served_team(both):
    sessions, made = both
    assert {"Project", "Milestone", "OutboxMessage", "KickoffCard", "HistoryEvent"} <= {
        m.__name__ for m in tenant_models()}
    for model in tenant_models():
        name, key = model.__table__.name, model.__mapper__.primary_key[0]
        mine, theirs = made[(name, A)], made[(name, B)]
        with tenancy.serving(A), sessions() as session:
            assert session.get(model, theirs) is None, name
            assert session.get(model, mine) is not None, name
            assert session.scalars(select(model).where(key == theirs)).all() == [], name
            assert session.scalar(select(func.count()).select_from(model)) == 1, name
            assert session.scalars(select(getattr(model, key.key)).where(key.in_([mine, theirs]))).all() == [mine]
            with pytest.raises(tenancy.CrossedTeams):
                session.execute(select(model.__table__).where(key == theirs)).all()
        with sessions() as session:
            assert set(session.scalars(select(getattr(model, key.key)))) == {mine, theirs}, name


def test_a_pinned_session_sees_its_team_in_any_thread(both):
    sessions, made = both
    pinned = tenancy.pinned(sessions, A)
    with pinned() as session:
        assert session.get(Project, made[("project", B)]) is None
        assert session.get(Project, made[("project", A)]).team_id == A
    with tenancy.serving(B), pinned() as session, pytest.raises(tenancy.CrossedTeams):
        session.get(Project, made[("project", A)])


def test_an_id_from_a_payload_is_checked_without_the_guard(both):
    sessions, made = both
    unguarded = sessionmaker(sessions.kw["bind"], expire_on_commit=False)
    assert not event.contains(unguarded, "do_orm_execute", tenancy._only_the_serving_team)
    for model in tenant_models():
        name = model.__table__.name
        with tenancy.pinned(unguarded, A)() as session:
            assert session.get(model, made[(name, B)]) is not None, name
            assert tenancy.owned(session, model, made[(name, B)]) is None, name
            assert tenancy.owned(session, model, made[(name, A)]) is not None, name


def test_a_forged_id_is_refused_even_without_the_statement_guard(tenants, fake_slack):
    services, slack = tenants
    register_both(slack)
    deliver(services)
    home_project = next(p for p in rows(services, Project) if p.team_id == HOME and p.slug == "acme-website")
    event.remove(services.sessions, "do_orm_execute", tenancy._only_the_serving_team)

    slack.button(ids.KICKOFF_APPROVE, str(home_project.id), user=BEA, team=BETA, channel="D" + BEA[1:])
    assert fake_slack.wait_for("response_url", where=lambda a: "no longer exists" in a.get("text", ""))
    assert [card.state for card in rows(services, KickoffCard) if card.project_id == home_project.id] == ["draft"]
    assert of_kind(fake_slack, SHARED, "kickoff") == []
