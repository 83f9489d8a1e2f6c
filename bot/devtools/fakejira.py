"""A stateful fake of the part of Jira Cloud's REST API v3 expect reads: projects' fix versions, epics, issues.

Answers in Jira's shapes (checked against the schemas in tests/vendor/jira): `startAt`/`maxResults` pages of
versions, `nextPageToken` pages of `GET /rest/api/3/search/jql` (the JQL subset expect writes, dates read in the
API user's time zone), `{"errorMessages": [...], "errors": {}}` bodies, 401 for bad basic auth, 429 with
`Retry-After` while `retry_after` is set, 503 while `down`. Its clock (`clock`, a callable) stamps `Date` headers
and changes. Also `python -m bot.devtools.fakejira` (port 8997).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import format_datetime
from itertools import count
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from bot.devtools.loopback import JsonHandler, LoopbackFake

CATEGORIES = {
    "To Do": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "In Progress": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "Done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
STATUS_IDS = {"To Do": "10000", "In Progress": "3", "Done": "10001"}
TYPES = {"Epic": ("10000", 1), "Story": ("10001", 0), "Task": ("10002", 0), "Bug": ("10004", 0)}
_CLAUSE = re.compile(
    r'^(?:project = "(?P<project>[A-Z][A-Z0-9_]+)"|fixVersion = (?P<version>\d+)|parent = (?P<parent>[A-Z][A-Z0-9_]+-\d+)'
    r'|statusCategory = (?P<category>Done)|updated >= "(?P<updated>\d{4}-\d\d-\d\d \d\d:\d\d)")$')
_ORDER = re.compile(r"\s+ORDER BY key ASC$")


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class FakeVersion:
    id: int
    project: str
    name: str
    release_date: date | None = None
    released: bool = False
    archived: bool = False


@dataclass
class FakeIssue:
    id: int
    key: str
    project: str
    summary: str
    type: str = "Task"
    status: str = "To Do"
    versions: list[int] = field(default_factory=list)
    parent: str | None = None
    labels: list[str] = field(default_factory=list)
    points: float | None = None
    due: date | None = None
    resolved_at: datetime | None = None
    category_changed_at: datetime | None = None
    updated: datetime | None = None


class _Handler(JsonHandler):
    def date_time_string(self, timestamp=None):
        return format_datetime(self.server.fake.clock().astimezone(timezone.utc), usegmt=True)

    def do_GET(self):
        status, body, headers = self.server.fake.answer("GET", self.path, self.headers)
        self.send(status, json.dumps(body).encode(), headers, content_type="application/json;charset=UTF-8")


class FakeJira(LoopbackFake):
    """In-memory Jira Cloud site: projects, versions and issues, served with REST v3's wire format."""

    handler = _Handler

    def __init__(self, *, email: str = "bot@acme.test", token: str = "jira-api-token", time_zone: str = "UTC",
                 host: str = "127.0.0.1", port: int = 0, clock=None):
        self.email, self.token, self.time_zone, self.host, self.port = email, token, time_zone, host, port
        self.clock = clock or _now
        self.projects: dict[str, str] = {}
        self.versions: dict[int, FakeVersion] = {}
        self.issues: dict[str, FakeIssue] = {}
        self.requests: list[dict] = []
        self.down = False
        self.retry_after: int | None = None
        self._ids = count(10001)
        self._numbers: dict[str, count] = {}
        self._lock = threading.Lock()

    # --- the world -------------------------------------------------------------------------------------------

    def add_project(self, key: str) -> None:
        if key not in self.projects:
            self.projects[key] = str(next(self._ids))
            self._numbers[key] = count(1)

    def add_version(self, project: str, name: str, *, release_date: date | None = None) -> int:
        self.add_project(project)
        version = FakeVersion(next(self._ids), project, name, release_date)
        self.versions[version.id] = version
        return version.id

    def add_issue(self, project: str, summary: str, *, type: str = "Task", version: int | None = None,
                  parent: str | None = None, labels: tuple[str, ...] = (), points: float | None = None,
                  due: date | None = None, done_at: datetime | None = None, at: datetime | None = None) -> str:
        self.add_project(project)
        key = f"{project}-{next(self._numbers[project])}"
        at = at or done_at or self.clock()
        self.issues[key] = FakeIssue(next(self._ids), key, project, summary, type, versions=[version] if version else [],
                                     parent=parent, labels=list(labels), points=points, due=due, updated=at,
                                     category_changed_at=at)
        if done_at:
            self.transition(key, "Done", done_at)
        return key

    def transition(self, key: str, status: str, at: datetime | None = None) -> None:
        issue, at = self.issues[key], at or self.clock()
        if CATEGORIES[status]["key"] != CATEGORIES[issue.status]["key"]:
            issue.category_changed_at = at
        issue.status, issue.updated = status, at
        issue.resolved_at = at if status == "Done" else None

    def edit_issue(self, key: str, at: datetime | None = None, **changes) -> None:
        issue = self.issues[key]
        for name, value in changes.items():
            setattr(issue, name, value)
        issue.updated = at or self.clock()

    def set_release_date(self, version: int, day: date | None) -> None:
        self.versions[version].release_date = day

    def calls(self, path_prefix: str = "") -> list[dict]:
        return [r for r in self.requests if r["path"].startswith(path_prefix)]

    # --- shapes ----------------------------------------------------------------------------------------------

    def _api(self, path: str) -> str:
        return f"{self.base_url}/rest/api/3{path}"

    def _time(self, instant: datetime | None) -> str | None:
        if instant is None:
            return None
        local = instant.astimezone(ZoneInfo(self.time_zone))
        return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + local.strftime("%z")

    def version_json(self, version: FakeVersion, expand: str = "") -> dict:
        body = {"self": self._api(f"/version/{version.id}"), "id": str(version.id), "name": version.name,
                "archived": version.archived, "released": version.released, "projectId": int(self.projects[version.project])}
        if version.release_date:
            body["releaseDate"] = version.release_date.isoformat()
            body["userReleaseDate"] = version.release_date.strftime("%d/%b/%y")
            body["overdue"] = not version.released and version.release_date < self.clock().date()
        if "issuesstatus" in expand:
            mine = [i for i in self.issues.values() if version.id in i.versions]
            tally = {key: sum(CATEGORIES[i.status]["key"] == key for i in mine) for key in ("new", "indeterminate", "done")}
            body["issuesStatusForFixVersion"] = {"toDo": tally["new"], "inProgress": tally["indeterminate"],
                                                 "done": tally["done"], "unmapped": 0}
        return body

    def status_json(self, name: str) -> dict:
        category = CATEGORIES[name]
        return {"self": self._api(f"/status/{STATUS_IDS[name]}"), "description": "", "iconUrl": f"{self.base_url}/",
                "name": name, "untranslatedName": name, "id": STATUS_IDS[name],
                "statusCategory": {"self": self._api(f"/statuscategory/{category['id']}"), **category}}

    def type_json(self, name: str) -> dict:
        type_id, level = TYPES[name]
        return {"self": self._api(f"/issuetype/{type_id}"), "id": type_id, "description": "", "name": name,
                "iconUrl": f"{self.base_url}/rest/api/2/universal_avatar/view/type/issuetype/avatar/{type_id}",
                "subtask": False, "avatarId": 10300 + int(type_id) % 100, "hierarchyLevel": level}

    def project_json(self, key: str) -> dict:
        return {"self": self._api(f"/project/{self.projects[key]}"), "id": self.projects[key], "key": key,
                "name": key.title(), "projectTypeKey": "software", "simplified": False,
                "avatarUrls": {size: f"{self.base_url}/rest/api/3/universal_avatar/view/type/project/avatar/10400"
                               for size in ("48x48", "24x24", "16x16", "32x32")}}

    def issue_json(self, issue: FakeIssue, fields: list[str] | None = None) -> dict:
        parent = self.issues.get(issue.parent) if issue.parent else None
        every = {
            "summary": issue.summary, "status": self.status_json(issue.status), "labels": list(issue.labels),
            "resolutiondate": self._time(issue.resolved_at), "statuscategorychangedate": self._time(issue.category_changed_at),
            "updated": self._time(issue.updated), "created": self._time(datetime(2026, 11, 1, tzinfo=timezone.utc)),
            "duedate": issue.due.isoformat() if issue.due else None, "issuetype": self.type_json(issue.type),
            "project": self.project_json(issue.project),
            "fixVersions": [self.version_json(self.versions[v]) for v in issue.versions],
            "customfield_10016": issue.points,
        }
        if parent:
            every["parent"] = {"id": str(parent.id), "key": parent.key, "self": self._api(f"/issue/{parent.id}"),
                               "fields": {"summary": parent.summary, "status": self.status_json(parent.status),
                                          "issuetype": self.type_json(parent.type)}}
        body = {"expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
                "id": str(issue.id), "self": self._api(f"/issue/{issue.id}"), "key": issue.key}
        wanted = every if fields is None or "*all" in fields else {k: v for k, v in every.items() if k in fields}
        if wanted or fields is None:
            body["fields"] = wanted
        return body

    def issue_event(self, key: str, event: str = "jira:issue_updated", changelog: list[dict] | None = None) -> dict:
        """A webhook body for an issue, as an admin webhook sends it."""
        body = {"timestamp": int(self.clock().timestamp() * 1000), "webhookEvent": event,
                "issue_event_type_name": "issue_generic" if event == "jira:issue_updated" else "issue_created",
                "user": self.user_json(), "issue": self.issue_json(self.issues[key])}
        if changelog is not None:
            body["changelog"] = {"id": str(next(self._ids)), "items": changelog}
        return body

    def version_event(self, version: int, event: str = "jira:version_updated") -> dict:
        return {"timestamp": int(self.clock().timestamp() * 1000), "webhookEvent": event,
                "version": self.version_json(self.versions[version])}

    def user_json(self) -> dict:
        return {"self": self._api("/user?accountId=5b10a2844c20165700ede21g"), "accountId": "5b10a2844c20165700ede21g",
                "accountType": "atlassian", "emailAddress": self.email, "displayName": "expect bot", "active": True,
                "timeZone": self.time_zone, "locale": "en_US",
                "avatarUrls": {size: f"https://avatar-management.example/{size}.png"
                               for size in ("48x48", "24x24", "16x16", "32x32")}}

    # --- the API ---------------------------------------------------------------------------------------------

    def answer(self, method: str, raw_path: str, headers) -> tuple[int, object, dict]:
        url = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with self._lock:
            status, body, extra = self._answer(url.path, query, headers)
            self.requests.append({"method": method, "path": url.path, "query": query, "status": status})
        return status, body, extra

    @staticmethod
    def _error(status: int, *messages: str, headers: dict | None = None) -> tuple[int, dict, dict]:
        return status, {"errorMessages": list(messages), "errors": {}}, headers or {}

    def _answer(self, path: str, query: dict, headers) -> tuple[int, object, dict]:
        if self.down:
            return self._error(503, "Service Unavailable")
        expected = "Basic " + base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        if headers.get("Authorization") != expected:
            return self._error(401, "Client must be authenticated to access this resource.")
        if self.retry_after is not None:
            return self._error(429, "Rate limit exceeded.", headers={"Retry-After": str(self.retry_after),
                                                                     "RateLimit-Reason": "jira-burst-based"})
        parts = path.removeprefix("/rest/api/3/").strip("/").split("/")
        if parts == ["myself"]:
            return 200, self.user_json(), {}
        if len(parts) == 3 and parts[0] == "project" and parts[2] == "version":
            return self._versions(parts[1], query)
        if len(parts) == 2 and parts[0] == "version":
            found = self.versions.get(int(parts[1])) if parts[1].isdigit() else None
            if found is None:
                return self._error(404, f"Could not find version for id '{parts[1]}'")
            return 200, self.version_json(found, query.get("expand", "")), {}
        if len(parts) == 2 and parts[0] == "issue":
            found = self.issues.get(parts[1]) or next((i for i in self.issues.values() if str(i.id) == parts[1]), None)
            if found is None:
                return self._error(404, "Issue does not exist or you do not have permission to see it.")
            return 200, self.issue_json(found, _fields(query)), {}
        if parts == ["search", "jql"]:
            return self._search(query)
        return self._error(404, "null for uri: " + self._api(path.removeprefix("/rest/api/3")))

    def _versions(self, key: str, query: dict) -> tuple[int, object, dict]:
        if key not in self.projects:
            return self._error(404, f"No project could be found with key '{key}'.")
        wanted = query.get("query", "").lower()
        items = [v for v in sorted(self.versions.values(), key=lambda v: v.id)
                 if v.project == key and wanted in v.name.lower()]
        start, size = int(query.get("startAt") or 0), max(1, min(int(query.get("maxResults") or 50), 50))
        page = items[start:start + size]
        last = start + size >= len(items)
        body = {"self": self._api(f"/project/{key}/version?maxResults={size}&startAt={start}"), "maxResults": size,
                "startAt": start, "total": len(items), "isLast": last,
                "values": [self.version_json(v, query.get("expand", "")) for v in page]}
        if not last:
            body["nextPage"] = self._api(f"/project/{key}/version?maxResults={size}&startAt={start + size}")
        return 200, body, {}

    def _search(self, query: dict) -> tuple[int, object, dict]:
        jql = _ORDER.sub("", query.get("jql", ""))
        matchers = []
        for clause in jql.split(" AND "):
            found = _CLAUSE.match(clause.strip())
            if found is None:
                return self._error(400, f"Error in the JQL Query: could not read '{clause.strip()[:60]}'.")
            matchers.append({k: v for k, v in found.groupdict().items() if v is not None})
        if not any("project" in m or "parent" in m for m in matchers):
            return self._error(400, "Unbounded JQL queries are not allowed here. Please add a search restriction.")
        for m in matchers:
            if "version" in m and int(m["version"]) not in self.versions:
                return self._error(400, f"The value '{m['version']}' does not exist for the field 'fixVersion'.")
        found = [i for i in sorted(self.issues.values(), key=lambda i: (i.project, i.id))
                 if all(self._matches(i, m) for m in matchers)]
        size = max(1, min(int(query.get("maxResults") or 50), 5000))
        start = _read_token(query.get("nextPageToken"), jql)
        if start is None:
            return self._error(400, "The provided next page token is invalid or expired.")
        page = found[start:start + size]
        body = {"issues": [self.issue_json(i, _fields(query) or ["id"]) for i in page],
                "isLast": start + size >= len(found)}
        if not body["isLast"]:
            body["nextPageToken"] = _token(start + size, jql)
        return 200, body, {}

    def _matches(self, issue: FakeIssue, clause: dict) -> bool:
        if "project" in clause:
            return issue.project == clause["project"]
        if "version" in clause:
            return int(clause["version"]) in issue.versions
        if "parent" in clause:
            return issue.parent == clause["parent"]
        if "category" in clause:
            return CATEGORIES[issue.status]["key"] == "done"
        since = datetime.strptime(clause["updated"], "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(self.time_zone))
        return issue.updated is not None and issue.updated >= since


def _fields(query: dict) -> list[str] | None:
    return [f.strip() for f in query["fields"].split(",") if f.strip()] if query.get("fields") else None


def _token(start: int, jql: str) -> str:
    digest = hashlib.sha256(jql.encode()).hexdigest()[:12]
    return base64.urlsafe_b64encode(json.dumps({"s": start, "q": digest}).encode()).decode()


def _read_token(token: str | None, jql: str) -> int | None:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(data["s"]) if data["q"] == hashlib.sha256(jql.encode()).hexdigest()[:12] else None
    except (ValueError, KeyError, TypeError):
        return None


def sign_delivery(secret: str, body: bytes) -> str:
    """The X-Hub-Signature a Jira Cloud admin webhook with a secret sends: HMAC-SHA256 of the body, hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def main() -> None:
    fake = FakeJira(port=8997).start()
    version = fake.add_version("ACME", "Release 1.0", release_date=date(2026, 12, 11))
    fake.add_issue("ACME", "Checkout page", version=version, labels=("client-visible",), points=3)
    print(f"fake Jira at {fake.base_url} ({fake.email}, token {fake.token}); Ctrl-C stops it", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
