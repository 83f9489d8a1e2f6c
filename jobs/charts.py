"""Timeline pictures: drawn and uploaded by the worker (or just after a command's ack), never inside an ack."""
from __future__ import annotations

import logging
import threading
from collections import Counter

from bot.blocks.render import locale_for
from bot.blocks.timeline import in_words
from bot.chart import render_png
from bot.domain import charts
from bot.models import Project
from bot.slack.gateway import OutcomeUnknown, RateLimited, SlackError
from jobs import JobContext, job

log = logging.getLogger(__name__)
LIMIT = 20


@job("charts")
def draw_charts(context: JobContext) -> dict:
    """DM the timelines asked for with `/expect report`; upload the pictures of chart=on updates coming soon."""
    counts: Counter = Counter()
    with context.sessions.begin() as session:
        waiting = charts.waiting_requests(session, now=context.now, limit=LIMIT)
    for request_id in waiting:
        with context.sessions.begin() as session:
            claimed = charts.claim(session, request_id, now=context.now)
            user_id = claimed and claimed[0].user_id
            team = claimed and _owner(session, claimed[0].project_id)[0]
        if claimed is None:
            continue
        timeline = claimed[1]
        file_id, error = _upload(context, team, timeline, user_id=user_id)
        with context.sessions.begin() as session:
            charts.finish(session, request_id, file_id=file_id, error=error, now=context.now)
        counts["sent" if file_id else "failed"] += 1
    with context.sessions.begin() as session:
        due = [(project_id, *_owner(session, project_id), timeline)
               for project_id, timeline in charts.due_for_updates(session, now=context.now, limit=LIMIT)]
    for project_id, team, language, timeline in due:
        file_id, _ = _upload(context, team, timeline, language=language)
        if file_id:
            with context.sessions.begin() as session:
                charts.record_update_chart(session, project_id, file_id=file_id, now=context.now)
        counts["for_updates" if file_id else "failed"] += 1
    return dict(counts)


def _owner(session, project_id: int) -> tuple[tuple[str, str | None], str]:
    """The project's workspace (team, enterprise) and its client's language."""
    project = session.get(Project, project_id)
    return (project.team_id, project.enterprise_id), locale_for(project)


def _upload(context: JobContext, team: tuple[str, str | None], timeline, *, user_id: str | None = None,
            language: str | None = None) -> tuple[str | None, str | None]:
    try:
        file_id = context.gateway_for(*team).upload_file(
            user_id, f"timeline-{timeline.today.isoformat()}.png", render_png(timeline, language=language),
            f"{timeline.name}: timeline",
            alt_text=in_words(timeline))
        return file_id, None
    except (SlackError, RateLimited, OutcomeUnknown) as error:
        log.warning("timeline of %s not uploaded: %s", timeline.name, error)
        return None, str(error)[:500]


def kick(services) -> None:
    """Draw waiting pictures now, in the background, without waiting for the next tick (which catches any left)."""
    lock, again = vars(services).setdefault("_chart_kick", (threading.Lock(), threading.Event()))
    again.set()
    if not lock.acquire(blocking=False):
        return

    def run():
        try:
            while again.is_set():
                again.clear()
                draw_charts(JobContext(services.sessions, services.gateway, services.clock.now(),
                                       workspaces=services.workspaces))
        except Exception:
            log.exception("background chart drawing failed")
        finally:
            lock.release()
    threading.Thread(target=run, name="charts-kick", daemon=True).start()


def wait_idle(services, timeout: float = 5.0) -> bool:
    """Wait until no background drawing runs for `services` (a test's or a shutdown's last step)."""
    lock, _ = vars(services).setdefault("_chart_kick", (threading.Lock(), threading.Event()))
    if not lock.acquire(timeout=timeout):
        return False
    lock.release()
    return True
