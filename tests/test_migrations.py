import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from bot.db import upgrade
from bot.models import Base
from bot.settings import normalise_database_url


@pytest.fixture
def fresh_database_url(tmp_path):
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server = normalise_database_url(server)
    schema = f"migcheck_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in server else "?"
    yield f"{server}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_models_and_migrations_agree(fresh_database_url):
    upgrade(fresh_database_url)
    upgrade(fresh_database_url)
    engine = create_engine(fresh_database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
