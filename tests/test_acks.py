import os
import sqlite3
import threading

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from bot.models import Milestone, Project
from tests.slackreq import SHARED

@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="PostgreSQL readers never wait for writers")
def test_status_and_list_answer_while_a_writer_holds_the_lock(slack, services):
    assert "Registered" in slack.command(f'add-project "Acme Website" <#{SHARED}|x>').text
    slack.command('add-milestone acme-website "Design" due=2026-12-04')
    holder = sqlite3.connect(services.engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert "Design" in slack.command("status acme-website").text
        assert "Acme Website" in slack.command("list").text
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_concurrent_progress_updates_all_land(slack, services):
    assert "Registered" in slack.command(f'add-project "Acme Website" <#{SHARED}|x>').text
    for n in range(8):
        slack.command(f'add-milestone acme-website "Part {n}" due=2026-12-04')
    answers = []

    def record(n):
        answers.append(slack.command(f'progress acme-website "Part {n}" {10 + n}%').text)

    threads = [threading.Thread(target=record, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [a for a in answers if "went wrong" in a or "locked" in a]
    with services.sessions() as session:
        assert session.scalar(select(func.sum(Milestone.progress))) == sum(10 + n for n in range(8))


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="SQLite's deferred BEGIN does not refuse writes")
def test_read_only_requests_cannot_write_on_postgresql(slack, services):
    assert "Registered" in slack.command(f'add-project "Acme Website" <#{SHARED}|x>').text
    with pytest.raises(DBAPIError, match="read-only"):
        with services.readers.begin() as session:
            session.execute(update(Project).values(name="Renamed"))
    with services.readers.begin() as session:
        assert session.scalar(select(Project.name)) == "Acme Website"
    assert "Acme Website" in slack.command("list").text
