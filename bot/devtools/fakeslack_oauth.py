"""Slack's OAuth v2 in the fake Slack: the consent page at /oauth/v2/authorize and oauth.v2.access.

`register_app` is the app's configuration (credentials, redirect URLs, token rotation); `sign_in` picks the
workspace (or Enterprise Grid org) the browser is signed in to. Allow redirects back with `code` and `state`,
Cancel with `error=access_denied`. Exchanging the code mints the bot token through `add_workspace`, in the
response shape and with the error codes of Slack's oauth.v2.access; `grant_type=refresh_token` rotates it.
"""
from __future__ import annotations

import base64
import html
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

AUTHORIZE_PATH, DECIDE_PATH, ACCESS_PATH = "/oauth/v2/authorize", "/oauth/v2/authorize/decide", "/api/oauth.v2.access"
OAUTH_PATHS = (AUTHORIZE_PATH, DECIDE_PATH, ACCESS_PATH)
CODE_SECONDS = 600


@dataclass
class _App:
    client_secret: str
    redirect_urls: tuple[str, ...]
    token_rotation: bool
    expires_in: int


@dataclass
class _Grant:
    client_id: str
    scopes: tuple[str, ...]
    redirect_uri: str | None
    who: dict
    at: float = field(default_factory=time.time)


class OAuthMethods:
    """Mixed into FakeSlack."""

    def register_app(self, client_id: str, client_secret: str, *, redirect_urls=(), token_rotation=False,
                     expires_in=43200) -> None:
        """The app's settings at api.slack.com: credentials, redirect URLs, and whether its tokens expire."""
        self._oauth["apps"][client_id] = _App(client_secret, tuple(redirect_urls), token_rotation, expires_in)

    def sign_in(self, team_id: str | None, team_name: str | None = None, *, user_id="U0INSTALL1",
                enterprise_id=None, enterprise_name=None, org_wide=False, bot_user_id=None) -> None:
        """Who approves the next consent: a workspace, or with `org_wide` a whole Enterprise Grid org."""
        self._oauth["who"] = {"team_id": None if org_wide else team_id, "team_name": None if org_wide else team_name,
                              "enterprise_id": enterprise_id, "enterprise_name": enterprise_name, "user_id": user_id,
                              "org_wide": org_wide, "bot_user_id": bot_user_id or self.bot_user_id,
                              "workspace": team_id or enterprise_id, "workspace_name": team_name or enterprise_name}

    def consent(self, authorize_url: str, *, allow: bool = True) -> str:
        """Open the consent page like a browser, press Allow (or Cancel) and return where Slack redirects."""
        page = httpx.get(authorize_url, timeout=10)
        request_id = re.search(r'name="request" value="([^"]+)"', page.text)
        if page.status_code != 200 or not request_id:
            raise AssertionError(f"no consent page at {authorize_url}: {page.status_code} {page.text[:200]}")
        answer = httpx.post(f"http://{self.host}:{self.port}{DECIDE_PATH}", timeout=10,
                            data={"request": request_id.group(1), "decision": "allow" if allow else "deny"})
        return answer.headers["location"]

    @property
    def _oauth(self) -> dict:
        # Created on first use, so that FakeSlack's constructor needs no line for it.
        return self.__dict__.setdefault("_oauth_state", {"apps": {}, "pending": {}, "codes": {}, "refresh": {},
                                                         "who": None})

    def _oauth_route(self, h, path, query, body) -> None:
        if path == ACCESS_PATH:
            return self._oauth_access(h, query, body)
        with self._lock:
            page = self._authorize(dict(parse_qsl(query))) if path == AUTHORIZE_PATH and h.command == "GET" \
                else self._decide(dict(parse_qsl(body.decode()))) if path == DECIDE_PATH and h.command == "POST" \
                else (405, "Method Not Allowed", None)
        status, text, location = page
        _send_html(h, status, text, location)

    def _authorize(self, q: dict):
        app = self._oauth["apps"].get(q.get("client_id", ""))
        if app is None:
            return 400, _page("Something went wrong", "invalid_client_id: this app does not exist."), None
        redirect = q.get("redirect_uri") or (app.redirect_urls[0] if app.redirect_urls else None)
        if redirect is None or not any(redirect.startswith(url) for url in app.redirect_urls):
            return 400, _page("Something went wrong", "bad_redirect_uri: not one of the app's redirect URLs."), None
        scopes = tuple(s for s in q.get("scope", "").split(",") if s)
        unknown = [s for s in scopes if self.scopes is not None and s not in self.scopes]
        if unknown or q.get("user_scope"):
            return 400, _page("Something went wrong", f"invalid_scope: {', '.join(unknown) or q['user_scope']}"), None
        who = self._oauth["who"] or {"team_id": self.team_id, "team_name": self.team_name, "enterprise_id": None,
                                     "enterprise_name": None, "user_id": "U0INSTALL1", "org_wide": False,
                                     "bot_user_id": self.bot_user_id, "workspace": self.team_id,
                                     "workspace_name": self.team_name}
        request_id = secrets.token_urlsafe(12)
        self._oauth["pending"][request_id] = (q["client_id"], scopes, q.get("redirect_uri"), redirect,
                                              q.get("state", ""), dict(who))
        items = "".join(f"<li>{html.escape(s)}</li>" for s in scopes)
        body = (f"<p>expect is requesting permission to access the <strong>{html.escape(who['workspace_name'] or '')}"
                f"</strong> Slack {'organization' if who['org_wide'] else 'workspace'}.</p><ul>{items}</ul>"
                f'<form method="post" action="{DECIDE_PATH}"><input type="hidden" name="request" value="{request_id}">'
                '<button type="submit" name="decision" value="deny" id="deny">Cancel</button> '
                '<button type="submit" name="decision" value="allow" id="allow">Allow</button></form>')
        return 200, _page("Allow expect?", body, raw=True), None

    def _decide(self, form: dict):
        pending = self._oauth["pending"].pop(form.get("request", ""), None)
        if pending is None:
            return 400, _page("Something went wrong", "This request has already been answered."), None
        client_id, scopes, sent_redirect, redirect, state, who = pending
        if form.get("decision") != "allow":
            return 302, "", _with_query(redirect, error="access_denied", state=state)
        code = f"{int(time.time())}.{secrets.token_hex(16)}"
        self._oauth["codes"][code] = _Grant(client_id, scopes, sent_redirect, who)
        return 302, "", _with_query(redirect, code=code, state=state)

    def _oauth_access(self, h, query, body) -> None:
        args = {**dict(parse_qsl(query)), **dict(parse_qsl(body.decode("utf-8", "replace")))}
        basic = h.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            args.setdefault("client_id", client_id)
            args.setdefault("client_secret", secret)
        with self._lock:
            self.calls.append({"method": "oauth.v2.access", "args": dict(args), "at": time.time()})
            self._counts["oauth.v2.access"] += 1
        try:
            result = self._exchange(args)  # not under the lock: add_workspace takes it
        except _OAuthError as error:
            result = {"ok": False, "error": str(error)}
        h.send(200, json.dumps(result).encode())

    def _exchange(self, a: dict) -> dict:
        app = self._oauth["apps"].get(a.get("client_id") or "")
        if app is None:
            raise _OAuthError("invalid_client_id")
        if a.get("client_secret") != app.client_secret:
            raise _OAuthError("bad_client_secret")
        grant_type = a.get("grant_type") or "authorization_code"
        if grant_type == "refresh_token":
            return self._refresh(app, a)
        if grant_type != "authorization_code":
            raise _OAuthError("invalid_grant_type")
        grant = self._oauth["codes"].pop(a.get("code") or "", None)
        if grant is None or grant.client_id != a["client_id"] or time.time() - grant.at > CODE_SECONDS:
            raise _OAuthError("invalid_code")
        if (a.get("redirect_uri") or None) != grant.redirect_uri:
            raise _OAuthError("bad_redirect_uri")
        who, scopes = grant.who, ",".join(grant.scopes)
        token = self._mint(app, who, scopes)
        return {"ok": True, "app_id": self.app_id, "authed_user": {"id": who["user_id"]}, "scope": scopes,
                "token_type": "bot", "access_token": token["access_token"], "bot_user_id": who["bot_user_id"],
                **_owner(who), **_expiry(token)}

    def _refresh(self, app: _App, a: dict) -> dict:
        held = self._oauth["refresh"].get(a.get("refresh_token") or "")
        if held is None or not app.token_rotation:
            raise _OAuthError("invalid_refresh_token")
        who, scopes = held
        token = self._mint(app, who, scopes)
        return {"ok": True, "app_id": self.app_id, "scope": scopes, "token_type": "bot",
                "access_token": token["access_token"], "bot_user_id": who["bot_user_id"], **_owner(who),
                **_expiry(token)}

    def _mint(self, app: _App, who: dict, scopes: str) -> dict:
        if app.token_rotation:
            token = {"access_token": "xoxe.xoxb-1-" + secrets.token_urlsafe(96),
                     "refresh_token": "xoxe-1-" + secrets.token_urlsafe(72), "expires_in": app.expires_in}
            self._oauth["refresh"][token["refresh_token"]] = (who, scopes)
        else:
            token = {"access_token": f"xoxb-{secrets.randbelow(10**12)}-{secrets.randbelow(10**12)}-"
                                     + secrets.token_urlsafe(18)}
        self.add_workspace(who["workspace"], who["workspace_name"], token=token["access_token"],
                           bot_user_id=who["bot_user_id"], enterprise_id=who["enterprise_id"])
        return token


class _OAuthError(Exception):
    pass


def _owner(who: dict) -> dict:
    team = {"id": who["team_id"], "name": who["team_name"]} if who["team_id"] else None
    enterprise = {"id": who["enterprise_id"], "name": who["enterprise_name"]} if who["enterprise_id"] else None
    return {"team": team, "enterprise": enterprise, "is_enterprise_install": bool(who["org_wide"])}


def _expiry(token: dict) -> dict:
    return {k: token[k] for k in ("refresh_token", "expires_in") if k in token}


def _with_query(url: str, **params) -> str:
    return url + ("&" if urlsplit(url).query else "?") + urlencode(params)


def _page(title: str, body: str, *, raw: bool = False) -> str:
    content = body if raw else f"<p>{html.escape(body)}</p>"
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | Slack</title>'
            f"</head><body><main><h1>{html.escape(title)}</h1>{content}</main></body></html>")


def _send_html(h, status: int, text: str, location: str | None) -> None:
    data = text.encode()
    h.send_response(status)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(data)))
    if location:
        h.send_header("Location", location)
    h.end_headers()
    h.wfile.write(data)
