"""A local, stateful fake of Slack's Web API that speaks Slack's wire format.

Point ``slack_sdk.WebClient(token=..., base_url=fake.base_url)`` at it. Standard library only.
Run standalone with ``python -m bot.devtools.fakeslack --port 8999 [--latency S] [--channels-auto] [--empty]``;
it then starts with a small demo team (see ``seed_demo_team``) so that /expect commands work at once.
Like Slack, it grants only the bot scopes of the repository's ``manifest.yml`` and refuses Block Kit that breaks
Slack's rules.
"""
import argparse
import json
import math
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import yaml

from bot.devtools.fakeslack_files import FileMethods
from bot.devtools.fakeslack_oauth import OAUTH_PATHS, OAuthMethods
from bot.devtools.fakeslack_methods import WebApiMethods, _decode, _Err, _need, _render_blocks, _tz_info


MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
METHOD_SCOPES = {  # the bot scope each method needs; "{kind}" is the conversation's: channels, groups, im, mpim
    "chat.postMessage": "chat:write", "chat.update": "chat:write", "chat.delete": "chat:write",
    "chat.postEphemeral": "chat:write", "users.info": "users:read", "pins.add": "pins:write",
    "pins.remove": "pins:write", "reactions.add": "reactions:write", "conversations.open": "im:write",
    "conversations.join": "channels:join", "conversations.info": "{kind}:read",
    "conversations.history": "{kind}:history", "conversations.replies": "{kind}:history",
    "files.getUploadURLExternal": "files:write", "files.completeUploadExternal": "files:write",
}


RULE_ERRORS = frozenset({"invalid_blocks", "invalid_arguments", "missing_scope"})


def manifest_scopes(path: Path) -> frozenset[str]:
    """The bot scopes the app manifest at `path` grants."""
    manifest = yaml.safe_load(path.read_text())
    return frozenset(manifest["oauth_config"]["scopes"]["bot"])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up on a slow answer closed its socket: Slack would not complain either


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def _route(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fake = self.server.fake
        if url.path in OAUTH_PATHS:
            fake._oauth_route(self, url.path, url.query, body)
        elif url.path.startswith("/api/"):
            fake._api(self, url.path[5:], url.query, body)
        elif url.path.startswith("/response/"):
            fake._response_url(self, url.path[10:], body)
        elif url.path.startswith("/upload/v1/"):
            fake._upload(self, url.path[11:], body)
        elif url.path.startswith("/_fake/"):
            fake._control(self, url.path[7:], url.query, body)
        else:
            self.send(404, {"ok": False, "error": "not_found"})

    do_GET = do_POST = _route

    def send(self, status, payload, headers=None):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


class _Bucket:
    """Slack-like limit: `rate` calls a second, `burst` at once."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst, self.tokens, self.at = rate, burst, float(burst), time.monotonic()

    def wait(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.at) * self.rate)
        self.at = max(now, self.at)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


PACED_METHODS = ("chat.postMessage", "chat.update")


class FakeSlack(WebApiMethods, FileMethods, OAuthMethods):
    """In-memory Slack workspaces served over HTTP with Slack's Web API wire format.

    The constructor's workspace is the default one; ``add_workspace`` installs the bot in more. Each call is
    answered as the workspace its token belongs to: ``team_id``, ``bot_user_id`` and ``bot_id`` read as that
    workspace's while a call is being answered, and as the default workspace's everywhere else.
    """

    def __init__(self, *, token="xoxb-test-token", team_id="T0HOME0001", team_name="Acme Eng",
                 bot_user_id="U07BOTUSER1", bot_id="B07EXPECT01", app_id="A07EXPECT01",
                 host="127.0.0.1", port=0, latency=0.0, auto_channels=False, scopes: Path | set | None = MANIFEST):
        """`scopes`: a manifest to read them from (the repository's, when there is one), a set, or None for all."""
        self.token, self._default = token, team_id
        self._workspaces: dict[str, dict] = {}
        self._tokens: dict[str, str] = {}  # token -> team_id
        self._revoked: set[str] = set()
        self._orgs: dict[str, set[str]] = {}  # enterprise_id -> its workspaces' team ids
        self._serving = threading.local()
        if scopes == MANIFEST and not MANIFEST.exists():
            scopes = None
        self.scopes = manifest_scopes(scopes) if isinstance(scopes, Path) else scopes and frozenset(scopes)
        self._slow: dict[str, float | threading.Event] = {}
        self.app_id = app_id
        self.host, self.port, self.auto_channels, self._latency = host, port, auto_channels, latency
        self._lock = threading.Lock()
        self.calls: list[dict] = []
        self.broken_rules: list[dict] = []  # calls refused for breaking Slack's rules: a bug in the caller
        self._counts, self._posts_by_outbox = defaultdict(int), defaultdict(int)
        self._failures: dict[str, deque] = defaultdict(deque)
        self._late: list = []
        self._users, self._convs, self._dms, self._views, self._homes = {}, {}, {}, {}, {}
        self._extras: list[dict] = []
        self._files: dict[str, dict] = {}
        self._last_us = self._seq = 0
        self._limits: dict | None = None
        self._buckets: dict[str, _Bucket] = {}
        self._server = self._thread = None
        self.add_workspace(team_id, team_name, token=token, bot_user_id=bot_user_id, bot_id=bot_id)

    def add_workspace(self, team_id, team_name, *, token, bot_user_id, enterprise_id=None, bot_id=None) -> dict:
        """Install the bot in a workspace (or give an installed one another token); return the workspace."""
        with self._lock:
            workspace = self._workspaces.setdefault(team_id, {
                "team_id": team_id, "team_name": team_name, "bot_user_id": bot_user_id,
                "bot_id": bot_id or "B" + bot_user_id[1:], "enterprise_id": enterprise_id})
            self._tokens[token] = team_id
            self._revoked.discard(token)
        if bot_user_id not in self._users:
            self.add_user(bot_user_id, "expect", real_name="Expect", is_bot=True, team_id=team_id)
        return dict(workspace)

    def add_org(self, enterprise_id: str, team_ids) -> None:
        """An Enterprise Grid org and its workspaces: the token of an org-wide install (minted for the org's own
        id) sees the channels and users of all of them."""
        with self._lock:
            self._orgs.setdefault(enterprise_id, set()).update(team_ids)

    def revoke(self, token: str) -> None:
        """From now on, calls with ``token`` fail with ``token_revoked``."""
        with self._lock:
            self._revoked.add(token)

    def _workspace(self) -> dict:
        return self._workspaces[getattr(self._serving, "team_id", None) or self._default]

    team_id = property(lambda self: self._workspace()["team_id"], doc="The answering workspace's team id.")
    team_name = property(lambda self: self._workspace()["team_name"])
    bot_user_id = property(lambda self: self._workspace()["bot_user_id"])
    bot_id = property(lambda self: self._workspace()["bot_id"])
    enterprise_id = property(lambda self: self._workspace()["enterprise_id"])

    def start(self) -> "FakeSlack":
        """Start serving in a daemon thread and return self."""
        self._server = _Server((self.host, self.port), _Handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fakeslack", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server and wait for its thread."""
        for held in list(self._slow.values()):
            if isinstance(held, threading.Event):
                held.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self) -> str:
        """Web API base URL with a trailing slash, for ``WebClient(base_url=...)``."""
        return f"http://{self.host}:{self.port}/api/"

    def response_url(self, name: str = "cmd") -> str:
        """A response_url whose JSON POSTs are recorded as calls of method ``response_url``."""
        return f"http://{self.host}:{self.port}/response/{name}"

    def add_user(self, user_id, name, *, real_name=None, tz="Europe/Berlin", team_id=None, is_bot=False,
                 is_restricted=False, is_ultra_restricted=False, deleted=False) -> dict:
        """Create (or replace) a user and return its users.info object."""
        real_name, team = real_name or name, team_id or self._default
        offset, label = _tz_info(tz)
        first, _, last = real_name.partition(" ")
        user = {"id": user_id, "team_id": team, "name": name, "deleted": deleted, "color": "4bbe2e",
                "real_name": real_name, "tz": tz, "tz_label": label, "tz_offset": offset,
                "profile": {"real_name": real_name, "display_name": name, "real_name_normalized": real_name,
                            "display_name_normalized": name, "first_name": first, "last_name": last, "team": team},
                "is_admin": False, "is_owner": False, "is_primary_owner": False, "is_restricted": is_restricted,
                "is_ultra_restricted": is_ultra_restricted, "is_bot": is_bot, "is_app_user": False,
                "is_stranger": team != self.team_id, "updated": int(time.time())}
        if is_bot:
            bots = {w["bot_user_id"]: w["bot_id"] for w in self._workspaces.values()}
            user["profile"]["bot_id"] = bots.get(user_id, "B" + user_id[1:])
        with self._lock:
            self._users[user_id] = user
        return user

    def add_channel(self, channel_id, name, *, is_member=True, is_archived=False, is_private=False,
                    ext_shared_with: str | None = None, team_id: str | None = None) -> dict:
        """Create (or replace) a channel of `team_id`'s workspace (the default one) and return its
        conversations.info object (live, mutable). Only that workspace and `ext_shared_with` see it."""
        with self._lock:
            return self._new_channel(channel_id, name, is_member, is_archived, is_private, ext_shared_with,
                                     team=team_id or self._default).info

    def add_message(self, channel, text="", *, user, blocks=None, thread_ts=None, metadata=None) -> dict:
        """Store a message as if the human ``user`` had posted it; return the stored message."""
        with self._lock:
            args = {"text": text, "blocks": blocks, "thread_ts": thread_ts, "metadata": metadata}
            return self._store(self._conv(channel, member=False), args, user, None)

    def react(self, channel, ts, name, *, user, remove=False) -> None:
        """Add (or take back) ``user``'s reaction ``name`` on a stored message, as its `reactions` show it."""
        with self._lock:
            m = self._msg(self._conv(channel, member=False), ts)
            found = {r["name"]: r for r in m.get("reactions", [])}
            users = [u for u in found.get(name, {}).get("users", []) if u != user] + ([] if remove else [user])
            found[name] = {"name": name, "users": users, "count": len(users)}
            m["reactions"] = [r for r in found.values() if r["count"]]

    def calls_to(self, method: str, *, token: str | None = None) -> list[dict]:
        """Args dicts of all recorded calls to ``method`` (made with ``token``, if given), oldest first.

        Each entry of ``calls`` also keeps the ``token`` the call carried and the ``team_id`` it resolved to.
        """
        with self._lock:
            return [c["args"] for c in self.calls if c["method"] == method and token in (None, c.get("token"))]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0, where=None) -> list[dict]:
        """Poll until ``count`` calls to ``method`` (matching ``where(args)``) exist; return their args."""
        deadline = time.monotonic() + timeout
        while True:
            found = [a for a in self.calls_to(method) if where is None or where(a)]
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                with self._lock:
                    recent = self.calls[-15:]
                lines = "\n".join(f"  {c['method']} {json.dumps(c['args'], default=str)[:200]}" for c in recent)
                raise AssertionError(f"expected {count} call(s) to {method}, got {len(found)} within {timeout}s; "
                                     f"recent calls:\n{lines or '  (none)'}")
            time.sleep(0.01)

    def messages(self, channel: str, *, team_id: str | None = None) -> list[dict]:
        """Messages currently in ``channel`` (a channel id, or a user id for their DM with the bot of
        ``team_id``, by default of the user's own workspace or else the default one), oldest first."""
        with self._lock:
            team = team_id or self._dm_team(channel)
            c = self._convs.get(channel) or self._convs.get(self._dms.get((team, channel), ""))
            return [dict(m) for m in c.msgs.values()] if c else []

    def fail_next(self, method: str, error: str | None = None, *, status: int = 200, retry_after: int | None = None,
                  times: int = 1, drop_response: bool = False, store_late: bool = False,
                  token: str | None = None) -> None:
        """Make the next ``times`` calls of ``method`` (with ``token``, if given) fail (error, 429, 5xx) or drop
        the response after acting.

        ``store_late``: drop the response and act only when ``store_late_calls()`` is called, as Slack sometimes
        stores a message many seconds after the request timed out.
        """
        status = 429 if retry_after is not None and status == 200 else status
        with self._lock:
            self._failures[method].extend([{"error": error, "status": status, "retry_after": retry_after,
                                            "drop": drop_response or store_late, "late": store_late,
                                            "token": token}] * times)

    def _next_failure(self, method: str, token: str | None) -> dict | None:
        queue = self._failures.get(method) or ()
        for failure in queue:
            if failure["token"] in (None, token):
                queue.remove(failure)
                return failure
        return None

    def store_late_calls(self) -> int:
        """Carry out the calls held back by ``fail_next(..., store_late=True)``; returns how many."""
        with self._lock:
            late, self._late = self._late, []
            for handler, args, team in late:
                self._serving.team_id = team
                try:
                    handler(args)
                except _Err:
                    pass
                finally:
                    self._serving.team_id = None
        return len(late)

    def set_rate_limits(self, workspace: float | None = None, channel: float | None = None, *,
                        workspace_burst: int | None = None, channel_burst: int = 3) -> None:
        """Answer chat.postMessage/chat.update with 429 + Retry-After past `workspace` calls/s or `channel`/s."""
        with self._lock:
            self._limits = {"workspace": (workspace, workspace_burst or max(1, int(workspace or 1))),
                            "channel": (channel, channel_burst)} if workspace or channel else None
            self._buckets.clear()

    def _over_limit(self, method: str, args: dict, team: str | None) -> int:
        """Seconds to wait (for Retry-After) if this call is over a limit, else 0; called under the lock.

        Like Slack's, the limits hold per workspace: one workspace's traffic never uses up another's."""
        if not self._limits or method not in PACED_METHODS:
            return 0
        now, buckets = time.monotonic(), []
        for scope, key in (("channel", f"channel:{team}:{args.get('channel')}"), ("workspace", f"workspace:{team}")):
            rate, burst = self._limits[scope]
            if rate:
                buckets.append(self._buckets.setdefault(key, _Bucket(rate, burst)))
        wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
        if wait:
            self._counts["rate_limited"] += 1
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return 0

    def set_latency(self, seconds: float) -> None:
        """Sleep ``seconds`` before answering every API call."""
        self._latency = float(seconds)

    def slow_down(self, method: str, seconds: float) -> None:
        """Answer ``method`` only after ``seconds`` (0 answers at once again); the call is recorded on arrival."""
        with self._lock:
            self._slow[method] = float(seconds)

    def stall(self, method: str) -> threading.Event:
        """Hold every call of ``method`` until the returned event is set (or the fake stops)."""
        release = threading.Event()
        with self._lock:
            self._slow[method] = release
        return release

    def reset_calls(self) -> None:
        """Forget recorded calls and per-method call counts."""
        with self._lock:
            self.calls.clear()
            self._counts.clear()

    def reset(self) -> None:
        """Forget calls, counts, queued failures, slowness, broken rules and all messages (users and channels stay)."""
        self.reset_calls()
        with self._lock:
            for held in self._slow.values():
                if isinstance(held, threading.Event):
                    held.set()
            self._slow.clear()
            self.broken_rules.clear()
            self._failures.clear()
            self._late.clear()
            self._posts_by_outbox.clear()
            self._extras.clear()
            for c in self._convs.values():
                c.msgs, c.top, c.replies, c.pins = {}, [], {}, 0

    def stats(self) -> dict:
        """Call counts per method and stored postMessage counts per metadata ``outbox_id``."""
        with self._lock:
            return {"calls": dict(self._counts), "posts_by_outbox_id": dict(self._posts_by_outbox)}

    def transcript(self) -> str:
        """Human-readable transcript of every message, ephemeral and response_url post, in time order."""
        with self._lock:
            items = [(m, cid) for cid, c in self._convs.items() for m in c.msgs.values()]
            items += [(e, e.get("channel")) for e in self._extras]
            users = {uid: u["name"] for uid, u in self._users.items()}
            names = {cid: "@" + users.get(c.info.get("user"), "?") if c.info["is_im"] else "#" + c.info["name"]
                     for cid, c in self._convs.items()}
        lines = []
        for m, cid in sorted(items, key=lambda i: float(i[0]["ts"])):
            where = names.get(cid) or f"(response_url {m.get('_name')})"
            if m.get("_kind") == "ephemeral":
                where += f" (only @{users.get(m['user'], m['user'])})"
            thread = "  ↳ " if m.get("thread_ts") not in (None, m["ts"]) else ""
            who = "expect (bot)" if m.get("bot_id") or m.get("_kind") else users.get(m.get("user"), m.get("user"))
            text = (m.get("text") or _render_blocks(m.get("blocks"))).replace("\n", "\n" + " " * 12)
            clock = time.strftime("%H:%M:%S", time.localtime(float(m["ts"])))
            lines.append(f"{clock} {where} {thread}{who}: {text}{' (edited)' if m.get('edited') else ''}")
        return "\n".join(lines)

    def _api(self, h, method, query, body):
        if self._latency:
            time.sleep(self._latency)
        args, decode_error = _decode(h.headers.get("Content-Type", ""), query, body)
        token, auth = args.pop("token", None), h.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.startswith("Bearer ") else token
        with self._lock:
            team = self._tokens.get(token)
            self.calls.append({"method": method, "args": args, "at": time.time(), "token": token, "team_id": team})
            self._counts[method] += 1
            fail = self._next_failure(method, token)
            slow = self._slow.get(method)
            limited = 0 if fail else self._over_limit(method, args, team)
        if isinstance(slow, threading.Event):
            slow.wait(timeout=60)
        elif slow:
            time.sleep(slow)
        if limited:
            return h.send(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(limited)})
        if fail and not fail["drop"]:
            if fail["status"] == 429:
                retry_after = {"Retry-After": str(fail["retry_after"] or 1)}
                return h.send(429, {"ok": False, "error": "ratelimited"}, retry_after)
            return h.send(fail["status"], {"ok": False, "error": fail["error"] or "internal_error"})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        error = ("unknown_method" if handler is None else "not_authed" if not token
                 else "invalid_auth" if team is None else "token_revoked" if token in self._revoked else decode_error)
        with self._lock:
            self._serving.team_id = team
            try:
                _need(not error, error)
                self._check_scope(method, args)
                if fail and fail.get("late"):
                    self._late.append((handler, args, team))
                    h.close_connection = True
                    return
                result = handler(args)
            except _Err as e:
                result = {"ok": False, "error": str(e), **e.extra}
                if str(e) in RULE_ERRORS:
                    self.broken_rules.append({"method": method, **result})
            finally:
                self._serving.team_id = None
            data = json.dumps(result).encode()
        if fail:
            h.close_connection = True
        else:
            h.send(200, data)

    def _check_scope(self, method, args):
        needed = METHOD_SCOPES.get(method)
        if needed is None or self.scopes is None:
            return
        if "{kind}" in needed:
            conv = self._convs.get(args.get("channel") or "")
            info = conv.info if conv else {}
            kind = "im" if info.get("is_im") else "mpim" if info.get("is_mpim") else \
                "groups" if info.get("is_private") else "channels"
            needed = needed.format(kind=kind)
        _need(needed in self.scopes, "missing_scope", needed=needed, provided=",".join(sorted(self.scopes)))

    def _response_url(self, h, name, body):
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = dict(parse_qsl(body.decode("utf-8", "replace")))
        payload = payload if isinstance(payload, dict) else {"payload": payload}
        with self._lock:
            self.calls.append({"method": "response_url", "args": {**payload, "_name": name}, "at": time.time()})
            self._counts["response_url"] += 1
            self._extras.append({**payload, "ts": self._next_ts(), "_kind": "response_url", "_name": name})
        h.send(200, {"ok": True})

    def _control(self, h, name, query, body):
        q, post = dict(parse_qsl(query)), h.command == "POST"
        try:
            payload = json.loads(body) if body else {}
            if name == "calls":
                return h.send(200, self.calls_to(q["method"]) if "method" in q else self.calls[:])
            if name in ("messages", "stats", "transcript"):
                return h.send(200, self.messages(q.get("channel", "")) if name == "messages"
                              else self.stats() if name == "stats" else {"ok": True, "transcript": self.transcript()})
            if post and name == "store_late":
                return h.send(200, {"ok": True, "stored": self.store_late_calls()})
            if post and name in ("latency", "reset", "fail_next", "slow_down", "rate_limits"):
                if name == "latency":
                    self.set_latency(payload.get("seconds", 0))
                elif name == "slow_down":
                    self.slow_down(payload["method"], payload.get("seconds", 0))
                elif name == "rate_limits":
                    self.set_rate_limits(**payload)
                else:
                    self.reset() if name == "reset" else self.fail_next(**payload)
                return h.send(200, {"ok": True})
            if post and name in ("add_user", "add_channel", "add_workspace"):
                add = {"add_user": self.add_user, "add_channel": self.add_channel,
                       "add_workspace": self.add_workspace}[name]
                return h.send(200, {"ok": True, "added": add(**payload)})
            if post and name == "revoke":
                self.revoke(payload["token"])
                return h.send(200, {"ok": True})
        except (ValueError, TypeError) as e:
            return h.send(400, {"ok": False, "error": str(e)})
        h.send(404, {"ok": False, "error": "not_found"})

def seed_demo_team(fake: "FakeSlack") -> None:
    """Two team members, a Slack Connect partner, a shared client channel and an internal one."""
    from bot.devtools.signed import ALICE, BOB, CAROL, INTERNAL, PARTNER, SHARED

    fake.add_user(ALICE, "alice", real_name="Alice Home", tz="Europe/Berlin")
    fake.add_user(CAROL, "carol", real_name="Carol Home", tz="America/New_York")
    fake.add_user(BOB, "bob", real_name="Bob Partner", tz="America/Chicago", team_id=PARTNER)
    fake.add_channel(SHARED, "proj-acme-partner", ext_shared_with=PARTNER)
    fake.add_channel(INTERNAL, "acme-team")


def main(argv=None):
    """Command-line entry point: serve a FakeSlack until killed."""
    p = argparse.ArgumentParser(prog="python -m bot.devtools.fakeslack", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--token", default="xoxb-test-token")
    p.add_argument("--workspace-cap", type=float, default=None, help="chat.postMessage/update calls per second")
    p.add_argument("--channel-cap", type=float, default=None, help="the same, per channel (Slack: about 1)")
    p.add_argument("--channels-auto", action="store_true", help="auto-create unknown C... channels as member channels")
    p.add_argument("--empty", action="store_true", help="start without the demo team: users alice (U0HOMEUSR1) and "
                   "carol (U0HOMEUSR2) of T0HOME0001, bob (U0PARTUSR1) of partner T0PARTNR01, channels C07SHARED01 "
                   "(#proj-acme-partner, shared with the partner) and C07INTERN01 (#acme-team)")
    ns = p.parse_args(argv)
    fake = FakeSlack(token=ns.token, host=ns.host, port=ns.port, latency=ns.latency, auto_channels=ns.channels_auto)
    fake.set_rate_limits(ns.workspace_cap, ns.channel_cap)
    if not ns.empty:
        seed_demo_team(fake)
    print(f"fakeslack listening on {fake.start().base_url}", flush=True)
    try:
        fake._thread.join()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
