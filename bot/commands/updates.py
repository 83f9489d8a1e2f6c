"""`/expect update` (the preview on demand) and `/expect settings` (how a project's updates go out)."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Row
from sqlalchemy.orm import Session

from bot.blocks.format import instant_token, reply, section
from bot.blocks.render import render, render_payload
from bot.commands import Args, CommandContext, command
from bot.commands.core import STATUS_LINES, StatusLine, check_channel
from bot.commands.parse import channel_id
from bot.domain import kickoff, signals
from bot.domain.errors import UserError
from bot.domain.projects import find_project, language_name
from bot.domain.update_settings import EXAMPLE, apply_settings, describe, parse_settings
from bot.domain.update_decisions import current_preview
from bot.models import Project
from bot.mrkdwn import Markup, channel_link, code, fmt
from bot.slack.gateway import OutcomeUnknown, RateLimited, SlackError


log = logging.getLogger(__name__)


@command("update", usage="update <project>", summary="preview the next weekly update, with its buttons")
def show_update_preview(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 1:
        raise UserError("Say which project.", "/expect update acme-website")
    project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
    preview = current_preview(ctx.session, project=project, now=ctx.now)
    message = render(preview.post, project=project)
    return reply(fmt("Preview of the update for {name}", name=project.name), message["blocks"])


@command("settings", usage='settings <project> [cadence="fri 16:00"] [tz=Area/City] [approval=auto|required] '
         "[hours=09:00-18:00] [days=mon-fri] [budget=3] [preview=24h] [health=auto|on_track|at_risk|off_track] "
         "[auto-ack=on|off] [holidays=ES-CT|off] [highlight=star] [chart=on|off] [channel=#channel] [lang=en|uk|ru|fa|ca|hu]",
         summary="how and when a project's updates go out, and in which language", example=EXAMPLE)
def project_settings(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 1:
        raise UserError("Say which project, then the settings to change.", EXAMPLE)
    project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
    options = dict(args.options)
    new_channel = options.pop("channel", None)
    values = parse_settings(options)
    if new_channel is not None:
        values["channel_id"] = channel_id(new_channel)
        check_channel(ctx.gateway, values["channel_id"])
    if not values:
        return reply(f"Settings of {project.name}", [section(_summary(project, "Settings"))])
    changes = apply_settings(project, values, now=ctx.now)
    if "channel_id" in changes:
        project.attention = None
    if changes:
        signals.project_changed.send(session=ctx.session, project=project, changes=changes, now=ctx.now)
    if "lang" in changes:
        _rerender_pinned_card(ctx, project)
    heading = "Updated" if changes else "Nothing to change in"
    return reply(f"{heading} {project.name}", [section(_summary(project, heading))])


def _summary(project: Project, heading: str) -> Markup:
    return fmt("{heading} *{name}*: {settings} · client channel {channel}.\nNext update {at}.", heading=heading,
               name=project.name, settings=describe(project), channel=channel_link(project.channel_id),
               at=instant_token(project.next_update_at))


def _rerender_pinned_card(ctx: CommandContext, project: Project) -> None:
    """A new language posts nothing by itself; the pinned kickoff card is rewritten in it once this commits."""
    where = kickoff.pinned(ctx.session, project=project, now=ctx.now)
    if where is None:
        return
    channel, ts, payload = where
    message = render_payload(payload, project=project)

    def update() -> None:
        try:
            ctx.gateway.update(channel, ts, text=message["text"], blocks=message["blocks"])
        except (SlackError, RateLimited, OutcomeUnknown) as error:
            log.warning("could not re-render the kickoff card %s/%s: %s", channel, ts, error)

    ctx.after_commit.append(update)


def language_line(session: Session, project: Project, now: datetime, facts: Row) -> str:
    return fmt("Client posts in {lang}. Change it with {example}.", lang=language_name(project.lang),
               example=code(f"/expect settings {project.slug} lang=uk"))


def next_update_line(session: Session, project: Project, now: datetime, facts: Row) -> str | None:
    if project.next_update_at is None:
        return None
    return fmt("Next weekly update {at} (approval {mode}).", at=instant_token(project.next_update_at),
               mode=project.approval_mode)


STATUS_LINES.append(StatusLine(next_update_line))
STATUS_LINES.append(StatusLine(language_line))
