"""A history export, made and uploaded once Slack has had its answer (never inside the acknowledgement)."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.domain import export, history
from bot.models import Project
from bot.slack.gateway import SlackGateway

log = logging.getLogger(__name__)


def send_export(sessions: sessionmaker[Session], gateway: SlackGateway, *, project_id: int, user_id: str,
                since: datetime | None, until: datetime | None, kind: str, now: datetime) -> str | None:
    """Read the events, write the file and upload it to `user_id`'s DM; returns the file id."""
    with sessions() as session:
        project = session.get(Project, project_id)
        if project is None:
            return None
        events = history.events_of(session, project_id=project_id, since=since, until=until)
        content = export.to_csv(events) if kind == "csv" else export.to_json(events)
        slug = project.slug
    name = f"{slug}-history-{now:%Y-%m-%d}.{kind}"
    try:
        return gateway.upload_file(user_id, name, content, f"History of {slug} ({len(events)} events)")
    except Exception:
        log.exception("history export of project %s for %s failed", project_id, user_id)
        return None
