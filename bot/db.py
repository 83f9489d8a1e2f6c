"""Engine, sessions and migrations."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import ARRAY, Table, bindparam, cast, create_engine, event, func, insert, make_url, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

import migrations

READ_ONLY = "expect_read_only"


def make_engine(url: str) -> Engine:
    """An engine tuned for this app: WAL and a busy timeout on SQLite, a pool on PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:
    # Writers take the lock up front, so two processes never both read-then-write the same row; readers don't
    # queue behind them (WAL lets them read the last commit).
    read_only = connection.get_execution_options().get(READ_ONLY)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert many rows in one go, giving each dict its new id.

    On PostgreSQL the ids are drawn from the table's sequence first and the rows go in with COPY: a multi-row
    VALUES … RETURNING (what the driver would do otherwise) costs more to prepare than the insert.
    """
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        ids = session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))).all()
        for row, row_id in zip(rows, ids):
            row["id"] = row_id
        append_rows(session, table, rows)
        return
    ids = session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all()
    for row, row_id in zip(rows, ids):
        row["id"] = row_id


def append_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert many rows (all with the same keys) whose new ids nobody needs back.

    On PostgreSQL with COPY, which neither side handles row by row as a statement; elsewhere one executemany.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    defaults = {column.key: column.default.arg for column in table.columns
                if column.key not in keys and column.default is not None and column.default.is_scalar}
    unset_callables = any(column.key not in keys and column.default is not None and not column.default.is_scalar
                          for column in table.columns)
    if dialect.name != "postgresql" or unset_callables:
        connection.execute(insert(table), rows)
        return
    columns = [table.c[key] for key in (*keys, *defaults)]
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) or _as_is for column in columns]
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    fixed = [process(value) for process, value in zip(processors[len(keys):], defaults.values())]
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN"
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([process(row[key]) for process, key in zip(processors, keys)] + fixed)
    except dialect.loaded_dbapi.Error as error:  # as SQLAlchemy would raise it: a duplicate is an IntegrityError
        raise DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
    finally:
        cursor.close()


def _as_is(value):
    return value


def update_rows(session: Session, table: Table, rows: list[dict], *, match: tuple[str, ...], **values) -> None:
    """Update many rows, each found by its `match` columns and given the other columns of its dict, plus `values`
    for all of them.

    On PostgreSQL that is one UPDATE … FROM unnest(one array per column): one statement to parse and plan, where
    an executemany would send one per row.
    """
    if not rows:
        return
    own = [key for key in rows[0] if key not in match]
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        arrays = [cast(bindparam(f"{key}_list", [row[key] for row in rows]), ARRAY(table.c[key].type))
                  for key in (*match, *own)]
        given = func.unnest(*arrays).table_valued(*match, *own).render_derived(name="given")
        connection.execute(update(table).where(*(table.c[key] == given.c[key] for key in match))
                           .values(**{key: given.c[key] for key in own}, **values))
        return
    connection.execute(
        update(table).where(*(table.c[key] == bindparam(f"{key}_match") for key in match))
        .values(**{key: bindparam(f"{key}_new") for key in own}, **values),
        [{**{f"{key}_match": row[key] for key in match}, **{f"{key}_new": row[key] for key in own}} for row in rows])


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def read_only_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for requests that only read: a deferred BEGIN on SQLite. On PostgreSQL a pool of their own whose
    connections are read-only and in autocommit: no BEGIN and COMMIT round trips (under READ COMMITTED each
    statement sees the latest commit either way), and a write is still refused."""
    if engine.dialect.name == "sqlite":
        return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
    readers = create_engine(engine.url, pool_size=8, max_overflow=8, pool_pre_ping=True, isolation_level="AUTOCOMMIT",
                            connect_args={"options": "-c default_transaction_read_only=on"})
    return sessionmaker(readers, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Apply every migration not yet applied; safe to run again."""
    command.upgrade(alembic_config(url), "head")


class DatabaseNotReady(Exception):
    """The database cannot be used as it is; the message is one line naming DATABASE_URL and what to do."""


def upgrade_or_explain(url: str) -> None:
    """`upgrade`, with a failure to reach or open the database turned into DatabaseNotReady."""
    with _explained(url):
        upgrade(url)


def ensure_up_to_date(url: str) -> None:
    """Raise DatabaseNotReady unless the database answers and carries every migration."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = create_engine(url, connect_args={"connect_timeout": 10} if url.startswith("postgresql") else {})
    try:
        with _explained(url), engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    if current != head:
        raise DatabaseNotReady(f"the database at DATABASE_URL ({_shown(url)}) is at revision {current or 'none'}, "
                               f"not {head}: run `expect db upgrade`")


@contextmanager
def _explained(url: str):
    try:
        yield
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else type(error.orig).__name__
        raise DatabaseNotReady(f"DATABASE_URL ({_shown(url)}): cannot use the database: {reason}") from None


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def database_answers(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
