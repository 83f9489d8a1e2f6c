"""A stateful fake of the part of GitHub's REST API expect reads: milestones and their issues.

Answers in GitHub's shapes (checked against its OpenAPI description in tests/vendor/github): `Link` pagination,
`ETag`/`If-None-Match` (a 304 does not count against the rate limit), `X-RateLimit-*` headers, and the
`{"message", "documentation_url"}` bodies of 401/403/404. `down` makes it answer 503; `rate_limit` sets the quota.
Also `python -m bot.devtools.fakegithub` (port 8998).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import formatdate
from itertools import count
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.devtools.loopback import JsonHandler, LoopbackFake

DOCS = "https://docs.github.com/rest"
_ids = count(1_000_001)


def _iso(instant: datetime | None) -> str | None:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if instant else None


def user(login: str = "octocat", user_id: int = 1) -> dict:
    base = f"https://api.github.com/users/{login}"
    return {
        "login": login, "id": user_id, "node_id": "MDQ6VXNlcjE=", "avatar_url": f"https://github.com/images/{login}.gif",
        "gravatar_id": "", "url": base, "html_url": f"https://github.com/{login}", "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}", "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}", "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs", "repos_url": f"{base}/repos", "events_url": f"{base}/events{{/privacy}}",
        "received_events_url": f"{base}/received_events", "type": "User", "site_admin": False,
    }


@dataclass
class FakeMilestone:
    repo: str
    number: int
    title: str
    due_on: date | None
    state: str = "open"
    id: int = field(default_factory=lambda: next(_ids))
    created_at: datetime = field(default_factory=lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))
    updated_at: datetime = field(default_factory=lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))


@dataclass
class FakeIssue:
    repo: str
    number: int
    title: str
    milestone: int | None
    labels: list[str]
    state: str = "open"
    closed_at: datetime | None = None
    pull_request: bool = False
    id: int = field(default_factory=lambda: next(_ids))
    updated_at: datetime = field(default_factory=lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))


class _Handler(JsonHandler):
    def do_GET(self):
        status, body, headers = self.server.fake.answer("GET", self.path, self.headers)
        if status == 304:
            self.send(status, b"", headers, content_type=None)
        else:
            self.send(status, json.dumps(body).encode(), headers, content_type="application/json; charset=utf-8")


class FakeGitHub(LoopbackFake):
    """In-memory repositories with milestones and issues, served with GitHub's REST wire format."""

    handler = _Handler

    def __init__(self, *, token: str = "ghp_testtoken", host: str = "127.0.0.1", port: int = 0,
                 rate_limit: int = 5000):
        self.token, self.host, self.port = token, host, port
        self.repos: set[str] = set()
        self.milestones: dict[tuple[str, int], FakeMilestone] = {}
        self.issues: dict[tuple[str, int], FakeIssue] = {}
        self.requests: list[dict] = []
        self.down = False
        self.limit, self.remaining = rate_limit, rate_limit
        self.reset_at = int(time.time()) + 3600
        self._numbers = count(1)
        self._lock = threading.Lock()

    # --- the world -------------------------------------------------------------------------------------------

    def add_repo(self, full_name: str) -> None:
        self.repos.add(full_name.lower())

    def add_milestone(self, repo: str, title: str, *, due_on: date | None = None) -> int:
        repo = repo.lower()
        self.add_repo(repo)
        number = sum(1 for key in self.milestones if key[0] == repo) + 1
        self.milestones[(repo, number)] = FakeMilestone(repo, number, title, due_on)
        return number

    def add_issue(self, repo: str, title: str, *, milestone: int | None = None, labels: tuple[str, ...] = (),
                  closed_at: datetime | None = None, pull_request: bool = False) -> int:
        repo = repo.lower()
        number = next(self._numbers)
        issue = FakeIssue(repo, number, title, milestone, list(labels), pull_request=pull_request)
        self.issues[(repo, number)] = issue
        if closed_at:
            self.close_issue(repo, number, closed_at)
        self._touch(repo, milestone, closed_at)
        return number

    def close_issue(self, repo: str, number: int, at: datetime) -> None:
        issue = self.issues[(repo.lower(), number)]
        issue.state, issue.closed_at, issue.updated_at = "closed", at, at
        self._touch(repo.lower(), issue.milestone, at)

    def reopen_issue(self, repo: str, number: int, at: datetime) -> None:
        issue = self.issues[(repo.lower(), number)]
        issue.state, issue.closed_at, issue.updated_at = "open", None, at
        self._touch(repo.lower(), issue.milestone, at)

    def set_due(self, repo: str, number: int, due_on: date, at: datetime | None = None) -> None:
        self.milestones[(repo.lower(), number)].due_on = due_on
        self._touch(repo.lower(), number, at)

    def _touch(self, repo: str, milestone: int | None, at: datetime | None) -> None:
        if at and milestone is not None and (repo, milestone) in self.milestones:
            found = self.milestones[(repo, milestone)]
            found.updated_at = max(found.updated_at, at)

    def calls(self, path_prefix: str = "") -> list[dict]:
        return [r for r in self.requests if r["path"].startswith(path_prefix)]

    # --- shapes ----------------------------------------------------------------------------------------------

    def milestone_json(self, found: FakeMilestone) -> dict:
        mine = [i for i in self.issues.values() if i.repo == found.repo and i.milestone == found.number
                and not i.pull_request]
        api = f"https://api.github.com/repos/{found.repo}"
        return {
            "url": f"{api}/milestones/{found.number}", "html_url": f"https://github.com/{found.repo}/milestone/{found.number}",
            "labels_url": f"{api}/milestones/{found.number}/labels", "id": found.id, "node_id": f"MI_{found.id}",
            "number": found.number, "state": found.state, "title": found.title, "description": None,
            "creator": user(), "open_issues": sum(i.state == "open" for i in mine),
            "closed_issues": sum(i.state == "closed" for i in mine), "created_at": _iso(found.created_at),
            "updated_at": _iso(found.updated_at), "closed_at": None,
            "due_on": f"{found.due_on.isoformat()}T07:00:00Z" if found.due_on else None,
        }

    def issue_json(self, issue: FakeIssue) -> dict:
        api = f"https://api.github.com/repos/{issue.repo}/issues/{issue.number}"
        milestone = self.milestones.get((issue.repo, issue.milestone)) if issue.milestone else None
        body = {
            "id": issue.id, "node_id": f"I_{issue.id}", "url": api,
            "repository_url": f"https://api.github.com/repos/{issue.repo}", "labels_url": f"{api}/labels{{/name}}",
            "comments_url": f"{api}/comments", "events_url": f"{api}/events",
            "html_url": f"https://github.com/{issue.repo}/issues/{issue.number}", "number": issue.number,
            "state": issue.state, "state_reason": "completed" if issue.state == "closed" else None,
            "title": issue.title, "body": None, "user": user(),
            "labels": [{"id": n + 1, "node_id": f"LA_{n}", "url": f"https://api.github.com/repos/{issue.repo}/labels/{name}",
                        "name": name, "description": None, "color": "ededed", "default": False}
                       for n, name in enumerate(issue.labels)],
            "assignee": None, "assignees": [], "milestone": self.milestone_json(milestone) if milestone else None,
            "locked": False, "active_lock_reason": None, "comments": 0, "closed_at": _iso(issue.closed_at),
            "created_at": "2026-11-01T00:00:00Z", "updated_at": _iso(issue.updated_at),
            "author_association": "MEMBER",
            "reactions": {"url": f"{api}/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "confused": 0,
                          "heart": 0, "hooray": 0, "eyes": 0, "rocket": 0},
        }
        if issue.pull_request:
            body["pull_request"] = {"url": api.replace("/issues/", "/pulls/"), "html_url": body["html_url"],
                                    "diff_url": None, "patch_url": None}
        return body

    # --- the API ---------------------------------------------------------------------------------------------

    def answer(self, method: str, raw_path: str, headers) -> tuple[int, object, dict]:
        url = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with self._lock:
            status, body, extra = self._answer(url.path, query, headers)
            self.requests.append({"method": method, "path": url.path, "query": query, "status": status,
                                  "if_none_match": headers.get("If-None-Match")})
        return status, body, extra

    def _limits(self) -> dict:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Used": str(self.limit - self.remaining), "X-RateLimit-Reset": str(self.reset_at),
                "X-RateLimit-Resource": "core", "Date": formatdate(usegmt=True)}

    def _error(self, status: int, message: str, headers: dict | None = None) -> tuple[int, dict, dict]:
        return status, {"message": message, "documentation_url": DOCS, "status": str(status)}, headers or {}

    def _answer(self, path: str, query: dict, headers) -> tuple[int, object, dict]:
        if self.down:
            return 503, {"message": "Service Unavailable"}, {}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return self._error(401, "Bad credentials")
        if self.remaining <= 0:
            return self._error(403, "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for "
                                    "help, please include the request ID.", self._limits())
        parts = path.strip("/").split("/")
        if len(parts) < 4 or parts[0] != "repos" or f"{parts[1]}/{parts[2]}".lower() not in self.repos:
            return self._error(404, "Not Found")
        repo, rest = f"{parts[1]}/{parts[2]}".lower(), parts[3:]
        if rest == ["milestones"]:
            items = sorted((m for m in self.milestones.values() if m.repo == repo
                            and query.get("state", "open") in ("all", m.state)), key=lambda m: m.number)
            return self._page(path, query, [self.milestone_json(m) for m in items], headers)
        if len(rest) == 2 and rest[0] == "milestones" and rest[1].isdigit():
            found = self.milestones.get((repo, int(rest[1])))
            if found is None:
                return self._error(404, "Not Found")
            return self._conditional(self.milestone_json(found), headers)
        if rest == ["issues"]:
            return self._page(path, query, [self.issue_json(i) for i in self._issues(repo, query)], headers)
        return self._error(404, "Not Found")

    def _issues(self, repo: str, query: dict) -> list[FakeIssue]:
        state, since = query.get("state", "open"), query.get("since")
        since_at = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
        wanted = query.get("milestone")
        found = []
        for issue in sorted(self.issues.values(), key=lambda i: -i.number):
            if issue.repo != repo or state not in ("all", issue.state):
                continue
            if wanted not in (None, "*") and str(issue.milestone) != wanted:
                continue
            if since_at and issue.updated_at < since_at:
                continue
            found.append(issue)
        return found

    def _page(self, path: str, query: dict, items: list, headers) -> tuple[int, object, dict]:
        per_page = max(1, min(int(query.get("per_page") or 30), 100))
        page = max(1, int(query.get("page") or 1))
        last = max(1, math.ceil(len(items) / per_page))
        extra = {}
        links = []
        if page < last:
            links += [f'<{self._url(path, query, page + 1)}>; rel="next"', f'<{self._url(path, query, last)}>; rel="last"']
        if page > 1:
            links += [f'<{self._url(path, query, page - 1)}>; rel="prev"', f'<{self._url(path, query, 1)}>; rel="first"']
        if links:
            extra["Link"] = ", ".join(links)
        return self._conditional(items[(page - 1) * per_page:page * per_page], headers, extra)

    def _url(self, path: str, query: dict, page: int) -> str:
        return f"{self.base_url}{path}?{urlencode({**query, 'page': page})}"

    def _conditional(self, body, headers, extra: dict | None = None) -> tuple[int, object, dict]:
        etag = 'W/"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32] + '"'
        if headers.get("If-None-Match") == etag:
            return 304, None, {"ETag": etag, **self._limits()}
        self.remaining -= 1
        return 200, body, {"ETag": etag, **(extra or {}), **self._limits()}


def sign_delivery(secret: str, body: bytes) -> str:
    """The X-Hub-Signature-256 GitHub sends with a webhook delivery."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def main() -> None:
    fake = FakeGitHub(port=8998).start()
    number = fake.add_milestone("acme/website", "v1.0", due_on=date(2026, 12, 11))
    fake.add_issue("acme/website", "Checkout page", milestone=number, labels=("client-visible",))
    print(f"fake GitHub at {fake.base_url} (token {fake.token}); Ctrl-C stops it", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
