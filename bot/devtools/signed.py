"""Requests signed exactly as Slack signs them, sent to a running expect (tests, demo, benchmarks)."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from itertools import count

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
HOME = "T0HOME0001"
PARTNER = "T0PARTNR01"
ALICE, BOB, CAROL, GUEST = "U0HOMEUSR1", "U0PARTUSR1", "U0HOMEUSR2", "U0GUESTUS1"
SHARED, INTERNAL, OTHER = "C07SHARED01", "C07INTERN01", "C07OTHER001"
_ids = count(1)
__all__ = ["SECRET", "HOME", "PARTNER", "ALICE", "BOB", "CAROL", "GUEST", "SHARED", "INTERNAL", "OTHER", "sign",
           "Answer", "SlackClient"]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Answer:
    status: int
    body: str

    @property
    def json(self) -> dict:
        return json.loads(self.body) if self.body else {}

    @property
    def text(self) -> str:
        """Everything a person would read in the reply: text and section/context texts."""
        data = self.json
        parts = [data.get("text", "")]
        for block in data.get("blocks", []):
            if block.get("text"):
                parts.append(block["text"]["text"])
            parts.extend(e.get("text", "") for e in block.get("elements", []) if isinstance(e, dict))
        return "\n".join(p for p in parts if isinstance(p, str))


class SlackClient:
    """Plays Slack's side of the Events API, slash commands and interactivity."""

    def __init__(self, url: str, secret: str = SECRET, response_url: str = "http://127.0.0.1:9/response"):
        self.url = url
        self.secret = secret
        self.response_url = response_url

    def send(self, body: bytes, content_type: str, *, headers: dict | None = None, timestamp: str | None = None,
             signature: str | None = None) -> Answer:
        timestamp = timestamp or str(int(time.time()))
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature or sign(self.secret, timestamp, body), **(headers or {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Answer(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode())

    def command(self, text: str, *, user: str = ALICE, team: str = HOME, channel: str = SHARED,
                enterprise: str | None = None, org_wide: bool = False) -> Answer:
        """`enterprise`: the Grid org of `team`; `org_wide`: the app is installed for the whole org."""
        fields = {
            "token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": team, "team_domain": "acme-eng", "channel_id": channel,
            "channel_name": "proj-acme-partner", "user_id": user, "user_name": "someone", "command": "/expect",
            "text": text, "api_app_id": "A07EXPECT01", "is_enterprise_install": "true" if org_wide else "false",
            **({"enterprise_id": enterprise, "enterprise_name": "Grid"} if enterprise else {}),
            "response_url": self.response_url, "trigger_id": f"{next(_ids)}.1234567890123.abcdef",
        }
        return self.send(urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def interaction(self, payload: dict, **kwargs) -> Answer:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.send(body, "application/x-www-form-urlencoded", **kwargs)

    def event(self, event: dict, *, event_id: str | None = None, team: str | None = HOME, ext_shared: bool = False,
              retry_num: int | None = None, installed: str | None = HOME, bot_user: str = "U07BOTUSER1",
              enterprise: str | None = None, org_wide: bool = False) -> Answer:
        """`installed`, `bot_user`: the installation Slack delivers the event to (`authorizations[0]`); in a Grid
        org also `enterprise`, and with `org_wide` the workspace where it happened as `installed` (or None)."""
        authorization = {"team_id": installed, "user_id": bot_user, "is_bot": True}
        if enterprise:
            authorization.update(enterprise_id=enterprise, is_enterprise_install=org_wide)
        envelope = {
            "token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": team, "api_app_id": "A07EXPECT01", "event": event,
            "type": "event_callback", "event_id": event_id or f"Ev{next(_ids):010d}", "event_time": int(time.time()),
            "authorizations": [authorization], "is_ext_shared_channel": ext_shared,
            **({"enterprise_id": enterprise} if enterprise else {}),
        }
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        return self.send(json.dumps(envelope).encode(), "application/json", headers=headers)

    def button(self, action_id: str, value: str, *, user: str = ALICE, team: str = HOME, channel: str = SHARED,
               message_ts: str = "1718000000.123456", message: dict | None = None, overflow: bool = False,
               user_team: str | None = None) -> Answer:
        """`team`: the workspace Slack names for the click; `user_team` (default the same): the clicker's."""
        payload = {
            "type": "block_actions", "user": {"id": user, "username": "someone", "team_id": user_team or team},
            "api_app_id": "A07EXPECT01", "token": "gIkuvaNzQIHg97ATvDxqgjtO",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
            "trigger_id": f"{next(_ids)}.1234567890123.abcdef", "team": {"id": team, "domain": "x"},
            "enterprise": None, "is_enterprise_install": False, "channel": {"id": channel, "name": "c"},
            "message": message or {"type": "message", "ts": message_ts, "text": "", "blocks": []},
            "response_url": self.response_url,
            "actions": [{"action_id": action_id, "block_id": "b", "action_ts": f"{time.time():.6f}",
                         **({"type": "overflow", "selected_option": {"text": {"type": "plain_text", "text": "x"},
                                                                     "value": value}}
                            if overflow else {"type": "button", "value": value})}],
        }
        return self.interaction(payload)

    def view_submission(self, callback_id: str, values: dict, *, user: str = ALICE, team: str = HOME,
                        private_metadata: str = "", installed: str = HOME) -> Answer:
        """`installed`: the workspace whose installation opened the modal (`view.app_installed_team_id`)."""
        payload = {
            "type": "view_submission", "team": {"id": team, "domain": "x"},
            "user": {"id": user, "username": "someone", "team_id": team}, "api_app_id": "A07EXPECT01",
            "token": "gIkuvaNzQIHg97ATvDxqgjtO", "trigger_id": f"{next(_ids)}.1234567890123.abcdef",
            "view": {"id": f"V{next(_ids):08d}", "team_id": installed, "type": "modal", "callback_id": callback_id,
                     "private_metadata": private_metadata, "state": {"values": values}, "hash": "1.abc",
                     "app_installed_team_id": installed, "blocks": []},
            "response_urls": [], "is_enterprise_install": False,
        }
        return self.interaction(payload)
