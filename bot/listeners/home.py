"""App Home: each team member sees their projects' health when they open the tab."""
from __future__ import annotations

from slack_bolt import Ack, App, BoltContext

from bot.blocks.home import home_view, outsider_home_view
from bot.domain.errors import NotAllowed
from bot.domain.home import home_projects
from bot.domain.lifecycle import archived_projects
from bot.domain.projects import local_today
from bot.domain.timeoff import away_list
from bot.listeners.common import apology, ensure_team_member, first_delivery, served
from bot.services import Services


def register(app: App, services: Services) -> None:
    def publish_app_home(ack: Ack, body: dict, event: dict, context: BoltContext) -> None:
        ack()
        if event.get("tab", "home") != "home":
            return
        user_id, now, here = event["user"], services.clock.now(), served(context)
        try:
            ensure_team_member(here, user_id=user_id, team_id=None)
        except NotAllowed:
            here.gateway.publish_home(user_id, outsider_home_view())
            return
        try:
            with services.sessions.begin() as session:
                if not first_delivery(session, f"event:{body.get('event_id') or event.get('event_ts')}", now):
                    return
                found = home_projects(session, team_id=here.team_id, user_id=user_id, now=now)
                away = away_list(session, team_id=here.team_id, today=now.date())
                archived = archived_projects(session, here.team_id)
                view = home_view(found, lambda p: local_today(p, now), away, archived)
            here.gateway.publish_home(user_id, view)
        except Exception as error:
            apology(error)

    app.event("app_home_opened")(publish_app_home)
