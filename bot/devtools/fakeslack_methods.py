"""The Web API methods of the fake Slack (`_m_<method>`), and the message store behind them."""
import base64
import json
import time
from bisect import bisect_left, bisect_right
from urllib.parse import parse_qsl

from bot.devtools.fakeslack_blocks import message_block_errors, view_errors

_JSON_ARGS = ("blocks", "attachments", "metadata", "view")
_TRUE = (True, 1, "true", "True", "1")

class _Err(Exception):
    def __init__(self, error, **extra):
        super().__init__(error)
        self.extra = extra


def _need(condition, error, **extra):
    if not condition:
        raise _Err(error, **extra)


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


class WebApiMethods:
    """Mixed into FakeSlack: one `_m_<method>` per Slack method, answering in Slack's shapes."""

    def _next_ts(self):
        self._last_us = max(int(time.time() * 1_000_000), self._last_us + 1)
        return "%d.%06d" % divmod(self._last_us, 1_000_000)

    def _new_channel(self, cid, name, is_member=True, is_archived=False, is_private=False, partner=None, user=None,
                     team=None):
        now, home = int(time.time()), team or self.team_id
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
        _need(c and self._sees(c), "channel_not_found")
        _need(c.info["is_member"] or not member, "not_in_channel")
        return c

    def _reach(self, team):
        """The workspaces a token answers for: its own, or every workspace of the Grid org it is installed in."""
        return {team, *self._orgs.get(team, ())}

    def _sees(self, c):
        """Whether the workspace whose call is being answered may see conversation `c` (always, outside calls)."""
        team = getattr(self._serving, "team_id", None)
        return team is None or bool(self._reach(team) & {*c.info["shared_team_ids"], *c.info["connected_team_ids"]})

    def _sees_user(self, uid):
        """A user of the answering workspace (or org), of an organisation the fake hosts no bot for, or one met in
        a channel shared with the answering workspace (Slack Connect)."""
        user, reach = self._users.get(uid), self._reach(self.team_id)
        if user is None or user["team_id"] in reach | {None} or user["team_id"] not in self._workspaces:
            return user is not None
        return any(user["team_id"] in c.info["connected_team_ids"] and reach & set(c.info["connected_team_ids"])
                   for c in self._convs.values())

    def _dm_team(self, uid):
        team = (self._users.get(uid) or {}).get("team_id")
        return team if team in self._workspaces else self._default

    def _open_dm(self, uid):
        key = (self.team_id, uid)
        existed = key in self._dms
        if not existed:
            self._dms[key] = "D" + uid[1:] + ("" if key[0] == self._dm_team(uid) else key[0][-4:])
            self._new_channel(self._dms[key], uid, user=uid)
        return self._convs[self._dms[key]], existed

    def _target(self, cid):
        if cid and cid[0] in "UW" and cid not in self._convs:
            _need(self._sees_user(cid), "channel_not_found")
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
        problems = message_block_errors(blocks) if blocks is not None else []
        _need(not problems, "invalid_blocks", errors=problems, response_metadata={"messages": problems})
        _need(text or blocks or a.get("attachments"), "no_text")
        _need(not text or len(str(text)) <= 40000, "msg_too_long")

    @staticmethod
    def _metadata(md):
        return {"event_type": md.get("event_type"), "event_payload": md.get("event_payload") or {}}

    def _store(self, c, a, user, bot_id):
        ts = self._next_ts()
        m = {"type": "message", "ts": ts, "text": str(a.get("text") or ""), "blocks": a.get("blocks") or [],
             "user": user, "bot_id": bot_id, "app_id": bot_id and self.app_id,
             "team": (self._users.get(user) or {}).get("team_id") or self.team_id}
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
        problems = view_errors(v)
        _need(not problems, "invalid_arguments", response_metadata={"messages": problems})
        self._seq += 1
        view_id = view_id or "V%010d" % self._seq
        out = {"type": "modal", "private_metadata": "", "callback_id": "", "external_id": "", "state": {"values": {}},
               "blocks": [], **v, "id": view_id, "team_id": self.team_id, "hash": "%d.%08x" % (time.time(), self._seq),
               "root_view_id": root or view_id, "previous_view_id": None, "app_id": self.app_id, "bot_id": self.bot_id}
        self._views[view_id] = out
        return {"ok": True, "view": out}

    def _m_auth_test(self, a):
        found = {"ok": True, "url": f"https://{self.team_name.lower().replace(' ', '-')}.slack.com/",
                 "team": self.team_name, "user": self._users[self.bot_user_id]["name"], "team_id": self.team_id,
                 "user_id": self.bot_user_id, "bot_id": self.bot_id,
                 "is_enterprise_install": self.team_id == self.enterprise_id}
        return {**found, "enterprise_id": self.enterprise_id} if self.enterprise_id else found

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
        _need(self._sees_user(ids[0]), "user_not_found")
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
        _need(self._sees_user(a.get("user")), "user_not_found")
        user = self._users[a["user"]]
        return {"ok": True, "user": {**user, "is_stranger": user["team_id"] not in self._reach(self.team_id)}}

    def _m_views_open(self, a):
        _need(a.get("trigger_id"), "invalid_arguments")
        return self._new_view(a)

    _m_views_push = _m_views_open

    def _m_views_update(self, a):
        ext = a.get("external_id")
        view_id = a.get("view_id") or next((k for k, v in self._views.items() if ext and v["external_id"] == ext), None)
        _need(view_id in self._views and self._views[view_id]["team_id"] == self.team_id, "not_found")
        _need(not a.get("hash") or a["hash"] == self._views[view_id]["hash"], "hash_conflict")
        return self._new_view(a, view_id, self._views[view_id]["root_view_id"])

    def _m_views_publish(self, a):
        _need(a.get("user_id"), "invalid_arguments")
        _need(a["user_id"] not in self._users or self._sees_user(a["user_id"]), "user_not_found")
        home = (self.team_id, a["user_id"])
        result = self._new_view(a, self._homes.get(home))
        self._homes[home] = result["view"]["id"]
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
