"""`/expect`: answered in the acknowledgement itself, so the reply and its effect arrive together."""
from __future__ import annotations

from slack_bolt import Ack, App, BoltContext

from bot.blocks.format import reply
from bot.commands import COMMANDS, CommandContext, reads_only
from bot.commands.parse import split
from bot.domain import charts, outbox
from bot.listeners.common import ensure_team_member, in_transaction, served
from bot.mrkdwn import code, fmt, unescape
from bot.services import Services
import jobs.charts


def register(app: App, services: Services) -> None:
    def handle_expect_command(ack: Ack, command: dict, context: BoltContext) -> None:
        after_commit, here = [], served(context)

        def work(session):
            args = split(unescape(command.get("text", "")))
            chosen = COMMANDS.get(args.sub) or COMMANDS["help"]
            if not chosen.public:
                ensure_team_member(here, user_id=command["user_id"], team_id=command.get("team_id"))
            context = CommandContext(
                session=session, team_id=here.team_id, user_id=command["user_id"],
                channel_id=command.get("channel_id", ""), trigger_id=command.get("trigger_id", ""),
                now=services.clock.now(), gateway=here.gateway, after_commit=after_commit,
                settings=services.settings, enterprise_id=here.enterprise_id,
            )
            answer = chosen.handler(context, args)
            if outbox.enqueued_in(session):
                after_commit.append(services.dispatcher.kick)
            if charts.requested_in(session):
                after_commit.append(lambda: jobs.charts.kick(services))
            if args.sub and args.sub not in COMMANDS:
                answer = reply(fmt("I don't know {sub}. Here is what I can do:", sub=code(args.sub)), answer.get("blocks"))
            return answer

        answer = in_transaction(services, work, after_commit, read_only=reads_only(command.get("text", "")))
        ack(**answer) if answer else ack()
        for follow_up in after_commit:
            follow_up()

    app.command("/expect")(handle_expect_command)
