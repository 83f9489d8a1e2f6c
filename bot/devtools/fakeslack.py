"""A local, stateful fake of Slack's Web API that speaks Slack's wire format.

Point ``slack_sdk.WebClient(token=..., base_url=fake.base_url)`` at it. Standard library only.
Run standalone with ``python -m bot.devtools.fakeslack --port 8999 [--latency S] [--channels-auto]``.
"""
import argparse
import base64
import json
import threading
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

_JSON_ARGS = ("blocks", "attachments", "metadata", "view")
_TRUE = (True, 1, "true", "True", "1")


class _Err(Exception):
    pass


def _need(condition, error):
    if not condition:
        raise _Err(error)


class _Conv:
    __slots__ = ("info", "msgs", "top", "replies", "pins")

    def __init__(self, info):
        self.info, self.msgs, self.top, self.replies, self.pins = info, {}, [], {}, 0


def _tz_info(tz):
    try:
        from datetime import datetime
        from zoneinfo import ZoneInfo
        now = datetime.now(ZoneInfo(tz))
        return int(now.utcoffset().total_seconds()), now.tzname()
    except Exception:
        return 0, tz


def _decode(ctype, query, body):
    args = dict(parse_qsl(query, keep_blank_values=True))
    if body and "json" in ctype:
        try:
            obj = json.loads(body)
        except ValueError:
            return args, "invalid_json"
        if not isinstance(obj, dict):
            return args, "json_not_object"
        args.update(obj)
    elif body:
        args.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for key in _JSON_ARGS:
        if isinstance(args.get(key), str) and args[key].startswith(("[", "{")):
            try:
                args[key] = json.loads(args[key])
            except ValueError:
                pass
    return args, None


def _ts_arg(value, error):
    try:
        return float(base64.b64decode(value).decode().split(":", 1)[1]) if error == "invalid_cursor" else float(value)
    except (TypeError, ValueError, IndexError):
        raise _Err(error)


def _render_blocks(blocks):
    parts = []
    for b in blocks if isinstance(blocks, list) else ():
        if isinstance(b, dict) and b.get("type") in ("section", "header"):
            texts = [b.get("text"), *(b.get("fields") or ())]
            parts += [t["text"] for t in texts if isinstance(t, dict) and t.get("text")]
        elif isinstance(b, dict) and b.get("type") == "context":
            parts += [e["text"] for e in b.get("elements") or () 
                      if isinstance(e, dict) and isinstance(e.get("text"), str)]
    return "\n".join(parts)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True


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
        if url.path.startswith("/api/"):
            fake._api(self, url.path[5:], url.query, body)
        elif url.path.startswith("/response/"):
            fake._response_url(self, url.path[10:], body)
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


class FakeSlack:
    """In-memory Slack workspace served over HTTP with Slack's Web API wire format."""

    def __init__(self, *, token="xoxb-test-token", team_id="T0HOME0001", team_name="Acme Eng",
                 bot_user_id="U07BOTUSER1", bot_id="B07EXPECT01", app_id="A07EXPECT01",
                 host="127.0.0.1", port=0, latency=0.0, auto_channels=False):
        self.token, self.team_id, self.team_name = token, team_id, team_name
        self.bot_user_id, self.bot_id, self.app_id = bot_user_id, bot_id, app_id
        self.host, self.port, self.auto_channels, self._latency = host, port, auto_channels, latency
        self._lock = threading.Lock()
        self.calls: list[dict] = []
        self._counts, self._posts_by_outbox = defaultdict(int), defaultdict(int)
        self._failures: dict[str, deque] = defaultdict(deque)
        self._users, self._convs, self._dms, self._views, self._homes = {}, {}, {}, {}, {}
        self._extras: list[dict] = []
        self._last_us = self._seq = 0
        self._server = self._thread = None
        self.add_user(bot_user_id, "expect", real_name="Expect", is_bot=True)

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
        real_name, team = real_name or name, team_id or self.team_id
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
            user["profile"]["bot_id"] = self.bot_id if user_id == self.bot_user_id else "B" + user_id[1:]
        with self._lock:
            self._users[user_id] = user
        return user

    def add_channel(self, channel_id, name, *, is_member=True, is_archived=False, is_private=False,
                    ext_shared_with: str | None = None) -> dict:
        """Create (or replace) a channel and return its conversations.info object (live, mutable)."""
        with self._lock:
            return self._new_channel(channel_id, name, is_member, is_archived, is_private, ext_shared_with).info

    def add_message(self, channel, text="", *, user, blocks=None, thread_ts=None, metadata=None) -> dict:
        """Store a message as if the human ``user`` had posted it; return the stored message."""
        with self._lock:
            args = {"text": text, "blocks": blocks, "thread_ts": thread_ts, "metadata": metadata}
            return self._store(self._conv(channel, member=False), args, user, None)

    def calls_to(self, method: str) -> list[dict]:
        """Args dicts of all recorded calls to ``method``, oldest first."""
        with self._lock:
            return [c["args"] for c in self.calls if c["method"] == method]

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

    def messages(self, channel: str) -> list[dict]:
        """Messages currently in ``channel`` (a channel id, or a user id for their DM), oldest first."""
        with self._lock:
            c = self._convs.get(channel) or self._convs.get(self._dms.get(channel, ""))
            return [dict(m) for m in c.msgs.values()] if c else []

    def fail_next(self, method: str, error: str | None = None, *, status: int = 200, retry_after: int | None = None,
                  times: int = 1, drop_response: bool = False) -> None:
        """Make the next ``times`` calls of ``method`` fail (error, 429, 5xx) or drop the response after acting."""
        status = 429 if retry_after is not None and status == 200 else status
        with self._lock:
            self._failures[method].extend([{"error": error, "status": status, "retry_after": retry_after,
                                            "drop": drop_response}] * times)

    def set_latency(self, seconds: float) -> None:
        """Sleep ``seconds`` before answering every API call."""
        self._latency = float(seconds)

    def reset_calls(self) -> None:
        """Forget recorded calls and per-method call counts."""
        with self._lock:
            self.calls.clear()
            self._counts.clear()

    def reset(self) -> None:
        """Forget calls, counts, queued failures and all messages (users and channels stay)."""
        self.reset_calls()
        with self._lock:
            self._failures.clear()
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
            self.calls.append({"method": method, "args": args, "at": time.time()})
            self._counts[method] += 1
            queue = self._failures.get(method)
            fail = queue.popleft() if queue else None
        if fail and not fail["drop"]:
            if fail["status"] == 429:
                retry_after = {"Retry-After": str(fail["retry_after"] or 1)}
                return h.send(429, {"ok": False, "error": "ratelimited"}, retry_after)
            return h.send(fail["status"], {"ok": False, "error": fail["error"] or "internal_error"})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        error = ("unknown_method" if handler is None else "not_authed" if not token
                 else "invalid_auth" if token != self.token else decode_error)
        with self._lock:
            try:
                _need(not error, error)
                result = handler(args)
            except _Err as e:
                result = {"ok": False, "error": str(e)}
            data = json.dumps(result).encode()
        if fail:
            h.close_connection = True
        else:
            h.send(200, data)

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
            if post and name in ("latency", "reset", "fail_next"):
                if name == "latency":
                    self.set_latency(payload.get("seconds", 0))
                else:
                    self.reset() if name == "reset" else self.fail_next(**payload)
                return h.send(200, {"ok": True})
            if post and name in ("add_user", "add_channel"):
                added = self.add_user(**payload) if name == "add_user" else self.add_channel(**payload)
                return h.send(200, {"ok": True, "added": added})
        except (ValueError, TypeError) as e:
            return h.send(400, {"ok": False, "error": str(e)})
        h.send(404, {"ok": False, "error": "not_found"})

    def _next_ts(self):
        self._last_us = max(int(time.time() * 1_000_000), self._last_us + 1)
        return "%d.%06d" % divmod(self._last_us, 1_000_000)

    def _new_channel(self, cid, name, is_member=True, is_archived=False, is_private=False, partner=None, user=None):
        now, home = int(time.time()), self.team_id
        info = {"id": cid, "name": name, "is_channel": cid[0] == "C", "is_group": cid[0] == "G" and is_private,
                "is_im": cid[0] == "D", "is_mpim": False, "is_private": is_private or cid[0] == "D", "created": now,
                "is_archived": is_archived, "is_general": False, "unlinked": 0, "name_normalized": name,
                "is_shared": bool(partner), "is_org_shared": False, "is_ext_shared": bool(partner),
                "is_pending_ext_shared": False, "pending_shared": [], "context_team_id": home,
                "shared_team_ids": [home], "internal_team_ids": [],
                "connected_team_ids": [home, partner] if partner else [],
                "connected_limited_team_ids": [], "pending_connected_team_ids": [], "conversation_host_id": home,
                "updated": now * 1000, "creator": "", "is_member": is_member, "last_read": "0000000000.000000",
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0}, "previous_names": []}
        if user:
            info.update(user=user, is_user_deleted=False, priority=0)
        self._convs[cid] = _Conv(info)
        return self._convs[cid]

    def _conv(self, cid, member=True):
        c = self._convs.get(cid or "")
        if c is None and cid and self.auto_channels and cid[0] == "C":
            c = self._new_channel(cid, cid.lower())
        _need(c, "channel_not_found")
        _need(c.info["is_member"] or not member, "not_in_channel")
        return c

    def _open_dm(self, uid):
        existed = uid in self._dms
        if not existed:
            self._dms[uid] = "D" + uid[1:]
            self._new_channel(self._dms[uid], uid, user=uid)
        return self._convs[self._dms[uid]], existed

    def _target(self, cid):
        if cid and cid[0] in "UW" and cid not in self._convs:
            _need(cid in self._users, "channel_not_found")
            return self._open_dm(cid)[0]
        c = self._conv(cid, member=False)
        _need(not c.info["is_archived"], "is_archived")
        _need(c.info["is_member"], "not_in_channel")
        return c

    def _msg(self, c, ts):
        _need(ts, "no_item_specified")
        _need(ts in c.msgs, "message_not_found")
        return c.msgs[ts]

    @staticmethod
    def _check_content(a):
        text, blocks = a.get("text"), a.get("blocks")
        _need(blocks is None or isinstance(blocks, list), "invalid_blocks")
        _need(text or blocks or a.get("attachments"), "no_text")
        _need(not blocks or len(blocks) <= 50 and all(
            isinstance(b, dict) and "type" in b and not (b["type"] == "section" and isinstance(b.get("text"), dict)
                                                         and len(str(b["text"].get("text", ""))) > 3000)
            for b in blocks), "invalid_blocks")
        _need(not text or len(str(text)) <= 40000, "msg_too_long")

    @staticmethod
    def _metadata(md):
        return {"event_type": md.get("event_type"), "event_payload": md.get("event_payload") or {}}

    def _store(self, c, a, user, bot_id):
        ts = self._next_ts()
        m = {"type": "message", "ts": ts, "text": str(a.get("text") or ""), "blocks": a.get("blocks") or [],
             "user": user, "bot_id": bot_id, "app_id": bot_id and self.app_id, "team": self.team_id}
        if isinstance(a.get("metadata"), dict):
            m["metadata"] = self._metadata(a["metadata"])
        parent = a.get("thread_ts")
        if parent:
            parent = (c.msgs.get(parent) or {}).get("thread_ts") or parent
            m["thread_ts"] = parent
            c.replies.setdefault(parent, []).append(ts)
            if a.get("reply_broadcast") in _TRUE:
                m["subtype"] = "thread_broadcast"
                c.top.append(ts)
        else:
            c.top.append(ts)
        c.msgs[ts] = m
        return m

    def _out(self, c, m, with_metadata=True):
        out = {k: v for k, v in m.items() if v is not None and (with_metadata or k != "metadata")}
        replies = c.replies.get(m["ts"])
        if replies:
            out.update(thread_ts=m["ts"], reply_count=len(replies), latest_reply=replies[-1],
                       reply_users=sorted({c.msgs[r]["user"] for r in replies if r in c.msgs}))
        return out

    def _new_view(self, a, view_id=None, root=None):
        v = a.get("view")
        _need(isinstance(v, dict), "invalid_arguments")
        self._seq += 1
        view_id = view_id or "V%010d" % self._seq
        out = {"type": "modal", "private_metadata": "", "callback_id": "", "external_id": "", "state": {"values": {}},
               "blocks": [], **v, "id": view_id, "team_id": self.team_id, "hash": "%d.%08x" % (time.time(), self._seq),
               "root_view_id": root or view_id, "previous_view_id": None, "app_id": self.app_id, "bot_id": self.bot_id}
        self._views[view_id] = out
        return {"ok": True, "view": out}

    def _m_auth_test(self, a):
        return {"ok": True, "url": f"https://{self.team_name.lower().replace(' ', '-')}.slack.com/",
                "team": self.team_name, "user": self._users[self.bot_user_id]["name"], "team_id": self.team_id,
                "user_id": self.bot_user_id, "bot_id": self.bot_id, "is_enterprise_install": False}

    def _m_chat_postMessage(self, a):
        c = self._target(a.get("channel"))
        self._check_content(a)
        m = self._store(c, a, self.bot_user_id, self.bot_id)
        payload = m.get("metadata", {}).get("event_payload")
        if isinstance(payload, dict) and payload.get("outbox_id") is not None:
            self._posts_by_outbox[str(payload["outbox_id"])] += 1
        return {"ok": True, "channel": c.info["id"], "ts": m["ts"], "message": self._out(c, m)}

    def _m_chat_postEphemeral(self, a):
        c = self._target(a.get("channel"))
        _need(a.get("user"), "user_not_in_channel")
        self._check_content(a)
        ts = self._next_ts()
        self._extras.append({"ts": ts, "channel": c.info["id"], "user": a["user"], "text": a.get("text") or "",
                             "blocks": a.get("blocks") or [], "_kind": "ephemeral"})
        return {"ok": True, "message_ts": ts}

    def _m_chat_update(self, a):
        c = self._conv(a.get("channel"), member=False)
        m = self._msg(c, a.get("ts"))
        _need(m.get("bot_id") == self.bot_id, "cant_update_message")
        self._check_content({"text": a.get("text", m["text"]), "blocks": a.get("blocks", m["blocks"])})
        m.update({k: a[k] or ([] if k == "blocks" else "") for k in ("text", "blocks") if k in a})
        if isinstance(a.get("metadata"), dict):
            m["metadata"] = self._metadata(a["metadata"])
        m["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {"ok": True, "channel": c.info["id"], "ts": m["ts"], "text": m["text"], "message": self._out(c, m)}

    def _m_chat_delete(self, a):
        c = self._conv(a.get("channel"), member=False)
        m = self._msg(c, a.get("ts"))
        _need(m.get("bot_id") == self.bot_id, "cant_delete_message")
        del c.msgs[m["ts"]]
        for ts_list in (c.top, c.replies.get(m.get("thread_ts"), [])):
            if m["ts"] in ts_list:
                ts_list.remove(m["ts"])
        return {"ok": True, "channel": c.info["id"], "ts": m["ts"]}

    def _m_chat_getPermalink(self, a):
        c = self._conv(a.get("channel"), member=False)
        m, cid = self._msg(c, a.get("message_ts")), c.info["id"]
        link = f"https://fake.slack/archives/{cid}/p{m['ts'].replace('.', '')}"
        if m.get("thread_ts") not in (None, m["ts"]):
            link += f"?thread_ts={m['thread_ts']}&cid={cid}"
        return {"ok": True, "channel": cid, "permalink": link}

    def _m_conversations_info(self, a):
        return {"ok": True, "channel": self._conv(a.get("channel"), member=False).info}

    def _m_conversations_open(self, a):
        users = a.get("users") or ""
        ids = [u.strip() for u in (users if isinstance(users, list) else str(users).split(",")) if u.strip()]
        _need(ids, "users_list_not_supplied")
        _need(len(ids) == 1, "method_not_supported_for_channel_type")
        _need(ids[0] in self._users, "user_not_found")
        c, existed = self._open_dm(ids[0])
        channel = c.info if a.get("return_im") in _TRUE else {"id": c.info["id"]}
        return {"ok": True, "no_op": existed, "already_open": existed, "channel": channel}

    def _m_conversations_join(self, a):
        c = self._conv(a.get("channel"), member=False)
        _need(not c.info["is_archived"], "is_archived")
        _need(not c.info["is_private"], "method_not_supported_for_channel_type")
        result = {"ok": True, "channel": dict(c.info)}
        result.update({"warning": "already_in_channel"} if c.info["is_member"] else {})
        c.info["is_member"] = True
        return result

    def _m_conversations_history(self, a):
        c = self._conv(a.get("channel"))
        limit = max(1, min(int(_ts_arg(a.get("limit") or 100, "invalid_limit")), 1000))
        inclusive = a.get("inclusive") in _TRUE
        top, lo = c.top, 0
        hi = len(top)
        if a.get("oldest"):
            lo = (bisect_left if inclusive else bisect_right)(top, _ts_arg(a["oldest"], "invalid_ts_oldest"), key=float)
        if a.get("cursor"):
            hi = bisect_right(top, _ts_arg(a["cursor"], "invalid_cursor"), key=float)
        elif a.get("latest"):
            hi = (bisect_right if inclusive else bisect_left)(top, _ts_arg(a["latest"], "invalid_ts_latest"), key=float)
        hi, meta = max(hi, lo), a.get("include_all_metadata") in _TRUE
        has_more = hi - lo > limit
        cursor = base64.b64encode(f"next_ts:{top[hi - limit - 1]}".encode()).decode() if has_more else ""
        page = [self._out(c, c.msgs[ts], meta) for ts in reversed(top[max(lo, hi - limit):hi])]
        return {"ok": True, "messages": page,
                "has_more": has_more, "pin_count": c.pins, "channel_actions_ts": None, "channel_actions_count": 0,
                "response_metadata": {"next_cursor": cursor}}

    def _m_conversations_replies(self, a):
        c = self._conv(a.get("channel"))
        _need(a.get("ts") in c.msgs, "thread_not_found")
        root = c.msgs[a["ts"]].get("thread_ts") or a["ts"]
        meta = a.get("include_all_metadata") in _TRUE
        chain = [ts for ts in [root, *c.replies.get(root, [])] if ts in c.msgs]
        return {"ok": True, "messages": [self._out(c, c.msgs[ts], meta) for ts in chain], "has_more": False,
                "response_metadata": {"next_cursor": ""}}

    def _m_users_info(self, a):
        _need(a.get("user") in self._users, "user_not_found")
        return {"ok": True, "user": self._users[a["user"]]}

    def _m_views_open(self, a):
        _need(a.get("trigger_id"), "invalid_arguments")
        return self._new_view(a)

    _m_views_push = _m_views_open

    def _m_views_update(self, a):
        ext = a.get("external_id")
        view_id = a.get("view_id") or next((k for k, v in self._views.items() if ext and v["external_id"] == ext), None)
        _need(view_id in self._views, "not_found")
        _need(not a.get("hash") or a["hash"] == self._views[view_id]["hash"], "hash_conflict")
        return self._new_view(a, view_id, self._views[view_id]["root_view_id"])

    def _m_views_publish(self, a):
        _need(a.get("user_id"), "invalid_arguments")
        result = self._new_view(a, self._homes.get(a["user_id"]))
        self._homes[a["user_id"]] = result["view"]["id"]
        return result

    def _m_pins_add(self, a, add=True):
        c = self._conv(a.get("channel"))
        m, cid = self._msg(c, a.get("timestamp")), c.info["id"]
        pinned = cid in m.get("pinned_to", ())
        _need(not pinned if add else pinned, "already_pinned" if add else "no_pin")
        m["pinned_to"] = m.get("pinned_to", []) + [cid] if add else [x for x in m["pinned_to"] if x != cid]
        c.pins += 1 if add else -1
        return {"ok": True}

    def _m_pins_remove(self, a):
        return self._m_pins_add(a, add=False)

    def _m_reactions_add(self, a):
        m = self._msg(self._conv(a.get("channel")), a.get("timestamp"))
        name = (a.get("name") or "").strip(":")
        _need(name, "invalid_name")
        _need(all(r["name"] != name for r in m.get("reactions", ())), "already_reacted")
        m["reactions"] = m.get("reactions", []) + [{"name": name, "users": [self.bot_user_id], "count": 1}]
        return {"ok": True}


def main(argv=None):
    """Command-line entry point: serve a FakeSlack until killed."""
    p = argparse.ArgumentParser(prog="python -m bot.devtools.fakeslack", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--token", default="xoxb-test-token")
    p.add_argument("--channels-auto", action="store_true", help="auto-create unknown C... channels as member channels")
    ns = p.parse_args(argv)
    fake = FakeSlack(token=ns.token, host=ns.host, port=ns.port, latency=ns.latency, auto_channels=ns.channels_auto)
    print(f"fakeslack listening on {fake.start().base_url}", flush=True)
    try:
        fake._thread.join()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
