"""What a request must pass before anything reads it: size, the sender's signature (Slack's, or GitHub's on
/webhooks/github, Jira's on /webhooks/jira, Linear's on /webhooks/linear), then its shape."""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

MAX_BODY_BYTES = 256 * 1024
GITHUB_MAX_BODY_BYTES = 1024 * 1024  # GitHub caps payloads at 25 MB; ours (milestone, issue, version events) are small
VERIFIED = "expect_signature_verified"


@dataclass
class Refused(Exception):
    """The request stops here with this HTTP status; `reason` is one short line for the log (never the body)."""

    status: int
    reason: str


def _read_capped(environ: dict, limit: int = MAX_BODY_BYTES) -> bytes:
    length_text = environ.get("CONTENT_LENGTH") or "0"
    if not length_text.isascii() or not length_text.isdigit():
        raise Refused(400, "malformed Content-Length")
    length = int(length_text)
    if length > limit:
        raise Refused(413, f"body of {length} bytes is over the {limit}-byte limit")
    return environ["wsgi.input"].read(length) if length else b""


def read_verified_body(environ: dict, verifier: SignatureVerifier | None) -> bytes:
    """The raw body, read only when its declared size is small and returned only when Slack's signature holds."""
    body = _read_capped(environ)
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    # slack_sdk's verifier raises on a timestamp that is not a number; that must be a refusal, not an error.
    if verifier is None or not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) < 16):
        raise Refused(401, "missing or non-numeric signature timestamp")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        # Slack signs UTF-8 text, and slack_sdk's verifier can check nothing else.
        raise Refused(401, f"a {len(body)}-byte body that is not UTF-8 cannot carry Slack's signature") from None
    if not verifier.is_valid(body, timestamp, signature):
        raise Refused(401, f"bad or stale signature on a {len(body)}-byte body")
    return body


def read_github_body(environ: dict, secret: str | None) -> bytes:
    """A GitHub webhook's raw body, returned only when its X-Hub-Signature-256 is the HMAC of the body under our
    webhook secret (no secret configured: every delivery is refused)."""
    return _read_hmac_signed(environ, secret, "HTTP_X_HUB_SIGNATURE_256", "GitHub", "GITHUB_WEBHOOK_SECRET")


def read_jira_body(environ: dict, secret: str | None) -> bytes:
    """A Jira Cloud admin webhook's raw body, returned only when its X-Hub-Signature (`sha256=` HMAC of the body
    under the secret the webhook was registered with) holds (no JIRA_WEBHOOK_SECRET: every delivery is refused)."""
    return _read_hmac_signed(environ, secret, "HTTP_X_HUB_SIGNATURE", "Jira", "JIRA_WEBHOOK_SECRET")


def _read_hmac_signed(environ: dict, secret: str | None, header: str, sender: str, setting: str) -> bytes:
    body = _read_capped(environ, GITHUB_MAX_BODY_BYTES)
    signature = environ.get(header, "")
    if not secret or not signature.startswith("sha256="):
        raise Refused(401, f"unsigned {sender} delivery" if secret else f"{setting} is not set")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise Refused(401, f"bad signature on a {len(body)}-byte {sender} delivery")
    return body


def read_linear_body(environ: dict, secret: str | None, now: datetime) -> dict:
    """A Linear webhook's payload, returned only when its Linear-Signature is the HMAC of the raw body under our
    secret and its signed `webhookTimestamp` is within a minute of `now` (Linear's own rule against replays)."""
    body = _read_capped(environ, GITHUB_MAX_BODY_BYTES)
    signature = environ.get("HTTP_LINEAR_SIGNATURE", "")
    if not secret or not signature:
        raise Refused(401, "unsigned Linear delivery" if secret else "LINEAR_WEBHOOK_SECRET is not set")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise Refused(401, f"bad signature on a {len(body)}-byte Linear delivery")
    try:
        data = json.loads(body)
        sent = data["webhookTimestamp"]
    except (ValueError, KeyError, TypeError):
        raise Refused(401, "a Linear delivery without a readable webhookTimestamp") from None
    if not isinstance(sent, (int, float)) or isinstance(sent, bool) or abs(now.timestamp() * 1000 - sent) > 60_000:
        raise Refused(401, "a Linear delivery signed more than a minute away from now")
    return data


def parse(body: bytes, content_type: str) -> dict:
    """The request as Bolt will see it: a JSON event envelope, an interaction payload or a slash command's form."""
    try:
        text = body.decode("utf-8")
        if content_type.split(";")[0].strip() == "application/json" or text.startswith("{"):
            data = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
            data = json.loads(form["payload"]) if "payload" in form else form
    except (UnicodeDecodeError, ValueError) as error:
        raise Refused(400, f"unreadable body ({type(error).__name__})") from None
    if not isinstance(data, dict):
        raise Refused(400, f"body is a JSON {type(data).__name__}, not an object")
    return data


def _is_str(value) -> bool:
    return isinstance(value, str) and bool(value)


def _has_id(value) -> bool:
    return isinstance(value, dict) and _is_str(value.get("id"))


def _actions_ok(actions) -> bool:
    return (isinstance(actions, list) and bool(actions)
            and all(isinstance(a, dict) and _is_str(a.get("action_id")) for a in actions))


def _view_ok(view) -> bool:
    return isinstance(view, dict) and _is_str(view.get("callback_id")) and _is_str(view.get("type"))


SHAPES = {
    "url_verification": lambda b: _is_str(b.get("challenge")),
    "event_callback": lambda b: isinstance(b.get("event"), dict) and _is_str(b["event"].get("type"))
    and _is_str(b.get("team_id")),
    "block_actions": lambda b: _actions_ok(b.get("actions")) and _has_id(b.get("user")),
    "view_submission": lambda b: _view_ok(b.get("view")) and _has_id(b.get("user")),
    "view_closed": lambda b: _view_ok(b.get("view")) and _has_id(b.get("user")),
}
COMMAND_FIELDS = ("command", "user_id", "team_id", "channel_id")


def check_shape(data: dict) -> None:
    """Refuse (400) a request of a kind we handle that lacks what its listener reads; ignore (200) other kinds."""
    if "command" in data:
        if not all(_is_str(data.get(name)) for name in COMMAND_FIELDS) or not isinstance(data.get("text", ""), str):
            raise Refused(400, "slash command without command, user_id, team_id or channel_id")
        return
    kind = data.get("type")
    shape = SHAPES.get(kind) if isinstance(kind, str) else None
    if shape is None:
        raise Refused(200, f"ignored a request of unknown type {str(kind)[:40]!r}")
    if not shape(data):
        raise Refused(400, f"malformed {kind} request")
