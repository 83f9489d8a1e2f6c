import json
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from bot.models import Project
from jobs import run_tick

FIXTURES = Path(__file__).parent / "fixtures"
ADD = 'add-project "Acme Website" <#C07SHARED01|proj-acme-partner> client="Acme Corp" tz=Europe/Berlin'


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


def fixture_event(name):
    return json.loads((FIXTURES / name).read_text())["event"]


def rows(services, model, *where):
    with services.sessions() as session:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))


def project_id(services):
    return rows(services, Project)[0].id


def tick(services, clock, when):
    clock.set(when)
    return run_tick(services, when)


def rendered(message):
    parts = [message.get("text", "")]
    for block in message.get("blocks", []):
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        parts.extend(e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str))
    return "\n".join(parts)


def of_kind(fake_slack, channel, kind):
    return [m for m in fake_slack.messages(channel)
            if m.get("metadata", {}).get("event_payload", {}).get("kind") == kind]


def buttons(message):
    return {e["action_id"]: e["value"] for block in message.get("blocks", [])
            for e in [*block.get("elements", []), block.get("accessory") or {}] if e.get("type") == "button"}


def set_project(services, **values):
    with services.sessions.begin() as session:
        project = session.scalars(select(Project)).first()
        for key, value in values.items():
            setattr(project, key, value)


def deliver(services, timeout=5.0):
    """Deliver what is ready, also waiting out a background delivery a listener kicked off."""
    import time

    from bot.models import OutboxMessage

    deadline = time.monotonic() + timeout
    while True:
        services.dispatcher.run_once()
        now = services.clock.now()
        busy = rows(services, OutboxMessage, OutboxMessage.state.in_(("pending", "sending")),
                    OutboxMessage.not_before <= now)
        if not busy or time.monotonic() > deadline:
            return
        time.sleep(0.02)


def eventually(check, timeout=5.0):
    """Poll `check` until it returns something truthy (Bolt runs listeners after answering Slack)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.02)


_event_ids = iter(range(1, 10**6))


def send_event(slack, services, event, *, event_id=None, wait=True, **kwargs):
    """Send an event and wait until it has been handled (its delivery is recorded with its effects).

    Bolt drops our own bot's events before any listener (and before answering), so those need no wait.
    """
    from bot.models import SeenDelivery

    event_id = event_id or f"EvEXP{next(_event_ids):08d}"
    answer = slack.event(event, event_id=event_id, **kwargs)
    assert answer.status == 200

    def seen():
        with services.sessions() as session:
            return session.get(SeenDelivery, f"event:{event_id}")

    assert not wait or eventually(seen)
    return answer


def press(slack, fake_slack, action_id, value, *, answer_by="response_url", **kwargs):
    """Click a button and wait for the listener's answer (a response_url post, or another Web API call)."""
    before = len(fake_slack.calls_to(answer_by))
    slack.button(action_id, value, **kwargs)
    return fake_slack.wait_for(answer_by, count=before + 1)[-1]
