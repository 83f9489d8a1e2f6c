"""A stateful fake of the part of Linear's GraphQL API expect reads: projects, project milestones and their issues.

Queries are matched by operation name (the ones bot/trackers/linear.py sends) and answered in Linear's shapes,
checked in tests against the schema cut from @linear/sdk (tests/vendor/linear): cursor pages (`first`/`after`,
`pageInfo { hasNextPage endCursor }`), `updatedAt`/`completedAt` filters, `errors` with `extensions`, 401 for a
bad key, `RATELIMITED` with the `X-RateLimit-Requests-*` headers (HTTP 400, or 429 with Retry-After when
`rate_limit_status` says so), and signed webhook deliveries.
`down` makes it answer 503. Also `python -m bot.devtools.fakelinear` (port 8997).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import formatdate
from itertools import count

import httpx

from bot.devtools.loopback import JsonHandler, LoopbackFake

EPOCH = datetime(2026, 11, 1, tzinfo=timezone.utc)
ORGANIZATION = "6f1c9a52-0d7e-4b8e-9c55-2f1e8a7b3c10"
_OPERATION = re.compile(r"\bquery\s+(\w+)")
_FIRST = re.compile(r"issues\(first:\s*(\d+)")


def iso(instant: datetime | None) -> str | None:
    """Linear's DateTime: UTC with milliseconds."""
    if instant is None:
        return None
    instant = instant.astimezone(timezone.utc)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def _id() -> str:
    return str(uuid.uuid4())


@dataclass
class FakeProject:
    name: str
    target_date: date | None
    id: str = field(default_factory=_id)
    slug_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    updated_at: datetime = EPOCH

    @property
    def url(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        return f"https://linear.app/acme/project/{slug}-{self.slug_id}"


@dataclass
class FakeMilestone:
    project_id: str
    name: str
    target_date: date | None
    id: str = field(default_factory=_id)
    updated_at: datetime = EPOCH


@dataclass
class FakeIssue:
    project_id: str
    milestone_id: str | None
    number: int
    title: str
    estimate: float | None
    labels: list[str]
    state: str = "unstarted"
    completed_at: datetime | None = None
    canceled_at: datetime | None = None
    id: str = field(default_factory=_id)
    created_at: datetime = EPOCH
    updated_at: datetime = EPOCH

    @property
    def identifier(self) -> str:
        return f"ENG-{self.number}"


STATES = {"unstarted": ("Todo", "#e2e2e2"), "started": ("In Progress", "#f2c94c"), "completed": ("Done", "#5e6ad2"),
          "canceled": ("Canceled", "#95a2b3")}


class _Handler(JsonHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, body, headers = self.server.fake.answer(self.path, raw, self.headers)
        self.send(status, json.dumps(body).encode(), headers, content_type="application/json; charset=utf-8")


class FakeLinear(LoopbackFake):
    """In-memory projects, milestones and issues, served with Linear's GraphQL wire format at /graphql."""

    handler = _Handler

    def __init__(self, *, api_key: str = "lin_api_testkey", host: str = "127.0.0.1", port: int = 0,
                 rate_limit: int = 5000):
        self.api_key, self.host, self.port = api_key, host, port
        self.projects: dict[str, FakeProject] = {}
        self.milestones: dict[str, FakeMilestone] = {}
        self.issues: dict[str, FakeIssue] = {}
        self.requests: list[dict] = []
        self.down = False
        self.rate_limit_status = 400
        self.limit, self.remaining = rate_limit, rate_limit
        self.reset_at_ms = int(time.time() * 1000) + 3_600_000
        self._numbers = count(1)
        self._lock = threading.Lock()

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/graphql"

    # --- the world -------------------------------------------------------------------------------------------

    def add_project(self, name: str, *, target_date: date | None = None) -> str:
        found = FakeProject(name, target_date)
        self.projects[found.id] = found
        return found.id

    def add_milestone(self, project_id: str, name: str, *, target_date: date | None = None) -> str:
        found = FakeMilestone(project_id, name, target_date)
        self.milestones[found.id] = found
        return found.id

    def add_issue(self, project_id: str, title: str, *, milestone: str | None = None, estimate: float | None = None,
                  labels: tuple[str, ...] = (), completed_at: datetime | None = None, at: datetime = EPOCH) -> str:
        issue = FakeIssue(project_id, milestone, next(self._numbers), title, estimate, list(labels),
                          created_at=at, updated_at=at)
        self.issues[issue.id] = issue
        if completed_at:
            self.complete(issue.id, completed_at)
        return issue.id

    def complete(self, issue_id: str, at: datetime) -> None:
        issue = self.issues[issue_id]
        issue.state, issue.completed_at, issue.updated_at = "completed", at, at

    def reopen(self, issue_id: str, at: datetime) -> None:
        issue = self.issues[issue_id]
        issue.state, issue.completed_at, issue.updated_at = "started", None, at

    def cancel(self, issue_id: str, at: datetime) -> None:
        issue = self.issues[issue_id]
        issue.state, issue.canceled_at, issue.updated_at = "canceled", at, at

    def set_target(self, entity_id: str, target: date | None, at: datetime) -> None:
        found = self.projects.get(entity_id) or self.milestones[entity_id]
        found.target_date, found.updated_at = target, at

    def calls(self, operation: str = "") -> list[dict]:
        return [r for r in self.requests if r["operation"].startswith(operation)]

    # --- shapes (field names and nesting as in Linear's schema) ------------------------------------------------

    def project_json(self, found: FakeProject) -> dict:
        return {"id": found.id, "name": found.name, "slugId": found.slug_id, "url": found.url,
                "targetDate": found.target_date.isoformat() if found.target_date else None,
                "updatedAt": iso(found.updated_at)}

    def milestone_json(self, found: FakeMilestone) -> dict:
        return {"id": found.id, "name": found.name,
                "targetDate": found.target_date.isoformat() if found.target_date else None,
                "updatedAt": iso(found.updated_at), "project": self.project_json(self.projects[found.project_id])}

    def issue_json(self, issue: FakeIssue) -> dict:
        return {"id": issue.id, "identifier": issue.identifier, "title": issue.title, "estimate": issue.estimate,
                "completedAt": iso(issue.completed_at), "canceledAt": iso(issue.canceled_at),
                "updatedAt": iso(issue.updated_at), "state": {"id": self._state_id(issue.state), "type": issue.state},
                "labels": {"nodes": [{"id": self._label_id(name), "name": name} for name in issue.labels]}}

    def _state_id(self, state: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"state/{state}"))

    def _label_id(self, name: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"label/{name}"))

    # --- the API ---------------------------------------------------------------------------------------------

    def answer(self, path: str, raw: bytes, headers) -> tuple[int, dict, dict]:
        with self._lock:
            try:
                request = json.loads(raw)
                query, variables = request["query"], request.get("variables") or {}
            except (ValueError, KeyError, TypeError):
                request, query, variables = {}, "", {}
            found = _OPERATION.search(query)
            operation = found.group(1) if found else ""
            status, body, extra = self._answer(path, operation, query, variables, headers)
            self.requests.append({"operation": operation, "query": query, "variables": variables, "status": status,
                                  "authorization": headers.get("Authorization")})
        return status, body, extra

    def _limits(self) -> dict:
        return {"X-RateLimit-Requests-Limit": str(self.limit), "X-RateLimit-Requests-Remaining": str(self.remaining),
                "X-RateLimit-Requests-Reset": str(self.reset_at_ms), "Date": formatdate(usegmt=True)}

    @staticmethod
    def error(message: str, code: str, kind: str, presentable: str | None = None, path: list | None = None) -> dict:
        extensions = {"type": kind, "code": code, "userError": True}
        if presentable:
            extensions["userPresentableMessage"] = presentable
        found = {"message": message, "extensions": extensions}
        if path:
            found = {"message": message, "path": path, "locations": [{"line": 1, "column": 1}], "extensions": extensions}
        return {"errors": [found], "data": None}

    def _answer(self, path: str, operation: str, query: str, variables: dict, headers) -> tuple[int, dict, dict]:
        if self.down:
            return 503, {"errors": [{"message": "Service Unavailable"}]}, {}
        if path != "/graphql":
            return 404, {"errors": [{"message": "Not Found"}]}, {}
        if headers.get("Authorization") != self.api_key:
            return 401, self.error("Authentication required, not authenticated", "AUTHENTICATION_ERROR",
                                   "authentication error", "You need to authenticate to access this operation."), {}
        if self.remaining <= 0:
            extra = self._limits()
            if self.rate_limit_status == 429:
                extra["Retry-After"] = str(max(1, self.reset_at_ms // 1000 - int(time.time())))
            return self.rate_limit_status, self.error("Rate limit exceeded", "RATELIMITED", "ratelimited",
                                                      "Too many requests: please try again later."), extra
        self.remaining -= 1
        match = re.fullmatch(r"Expect(Project|ProjectMilestone)(Changes|Issues)", operation)
        if not match or "id" not in variables:
            return 400, self.error(f"Unknown operation {operation!r}", "GRAPHQL_VALIDATION_FAILED",
                                   "graphql error"), self._limits()
        root = "project" if match.group(1) == "Project" else "projectMilestone"
        head = self._head(root, str(variables["id"]))
        if head is None:
            kind = "Project" if root == "project" else "ProjectMilestone"
            return 200, self.error(f"Entity not found: {kind}", "INPUT_ERROR", "invalid input",
                                   f"Could not find referenced {kind}.", [root]), self._limits()
        entity, body = head
        mine = [i for i in self.issues.values()
                if (i.project_id == entity.id if root == "project" else i.milestone_id == entity.id)]
        mine.sort(key=lambda i: (i.created_at, i.number))
        if match.group(2) == "Changes":
            since = _instant(variables.get("since"))
            changed = [i for i in mine if i.updated_at > since][:1]
            body["issues"] = {"nodes": [{"id": i.id, "updatedAt": iso(i.updated_at)} for i in changed]}
        else:
            body["issues"] = self._page(mine, query, variables)
        return 200, {"data": {root: body}}, self._limits()

    def _head(self, root: str, key: str) -> tuple[object, dict] | None:
        if root == "projectMilestone":
            found = self.milestones.get(key)
            return (found, self.milestone_json(found)) if found else None
        found = self.projects.get(key) or next((p for p in self.projects.values() if p.slug_id == key), None)
        return (found, self.project_json(found)) if found else None

    def _page(self, issues: list[FakeIssue], query: str, variables: dict) -> dict:
        wanted = (variables.get("filter") or {})
        for name, attribute in (("updatedAt", "updated_at"), ("completedAt", "completed_at")):
            after = _instant(((wanted.get(name) or {}).get("gt")))
            if after:
                issues = [i for i in issues if getattr(i, attribute) and getattr(i, attribute) > after]
        first = int((_FIRST.search(query) or [None, 50])[1])
        cursor = variables.get("after")
        start = next((n + 1 for n, i in enumerate(issues) if i.id == cursor), 0) if cursor else 0
        page = issues[start:start + first]
        more = start + first < len(issues)
        return {"nodes": [self.issue_json(i) for i in page],
                "pageInfo": {"hasNextPage": more, "endCursor": page[-1].id if page else None}}

    # --- webhooks ----------------------------------------------------------------------------------------------

    def issue_data(self, issue: FakeIssue) -> dict:
        """`data` of an Issue webhook (IssueWebhookPayload)."""
        project = self.projects[issue.project_id]
        milestone = self.milestones.get(issue.milestone_id or "")
        name, color = STATES[issue.state]
        return {
            "id": issue.id, "identifier": issue.identifier, "number": float(issue.number), "title": issue.title,
            "createdAt": iso(issue.created_at), "updatedAt": iso(issue.updated_at),
            "completedAt": iso(issue.completed_at), "canceledAt": iso(issue.canceled_at), "estimate": issue.estimate,
            "priority": 0.0, "priorityLabel": "No priority", "prioritySortOrder": -1.0, "sortOrder": 1.0,
            "labelIds": [self._label_id(n) for n in issue.labels],
            "labels": [{"id": self._label_id(n), "name": n, "color": "#bec2c8", "parentId": None} for n in issue.labels],
            "previousIdentifiers": [], "subscriberIds": [], "reactionData": {}, "releases": [],
            "state": {"id": self._state_id(issue.state), "name": name, "color": color, "type": issue.state},
            "stateId": self._state_id(issue.state), "teamId": "9b1f3c2e-8d4a-4e6f-a1b2-c3d4e5f60718",
            "projectId": project.id, "project": {"id": project.id, "name": project.name, "url": project.url},
            "projectMilestoneId": milestone.id if milestone else None,
            "projectMilestone": self._milestone_child(milestone) if milestone else None,
            "url": f"https://linear.app/acme/issue/{issue.identifier.lower()}",
        }

    def project_data(self, project: FakeProject) -> dict:
        """`data` of a Project webhook (ProjectWebhookPayload)."""
        return {
            "id": project.id, "name": project.name, "slugId": project.slug_id, "url": project.url,
            "description": "", "color": "#bec2c8", "createdAt": iso(EPOCH), "updatedAt": iso(project.updated_at),
            "targetDate": project.target_date.isoformat() if project.target_date else None,
            "priority": 0.0, "prioritySortOrder": 0.0, "sortOrder": 0.0, "statusId": _id(),
            "labelIds": [], "memberIds": [], "teamIds": ["9b1f3c2e-8d4a-4e6f-a1b2-c3d4e5f60718"],
            "completedIssueCountHistory": [], "completedScopeHistory": [], "inProgressScopeHistory": [],
            "issueCountHistory": [], "scopeHistory": [],
            "milestones": [self._milestone_child(m) for m in self.milestones.values() if m.project_id == project.id],
        }

    @staticmethod
    def _milestone_child(found: FakeMilestone) -> dict:
        return {"id": found.id, "name": found.name,
                "targetDate": found.target_date.isoformat() if found.target_date else None}

    def webhook(self, kind: str, data: dict, *, at: datetime, action: str = "update",
                updated_from: dict | None = None) -> dict:
        """A whole webhook payload (EntityWebhookPayload) as Linear sends it, stamped `at`."""
        return {"action": action, "type": kind, "data": data, "updatedFrom": updated_from, "url": data.get("url"),
                "createdAt": iso(at), "organizationId": ORGANIZATION, "webhookId": "0b7e4f3a-5c6d-4e8f-9a0b-1c2d3e4f5a6b",
                "webhookTimestamp": int(at.timestamp() * 1000)}


def sign_delivery(secret: str, body: bytes) -> str:
    """The Linear-Signature of a webhook delivery: hex HMAC-SHA256 of the raw body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(url: str, payload: dict | bytes, *, secret: str | None, delivery: str | None = None,
            signature: str | None = None) -> tuple[int, str]:
    """POST a webhook delivery to `url` as Linear does (no secret: unsigned); (status, text)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Linear-Webhook",
               "Linear-Delivery": delivery or _id(),
               "Linear-Event": payload.get("type", "") if isinstance(payload, dict) else ""}
    if signature or secret:
        headers["Linear-Signature"] = signature or sign_delivery(secret, body)
    response = httpx.post(url, content=body, headers=headers, timeout=10)
    return response.status_code, response.text


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    found = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return found if found.tzinfo else found.replace(tzinfo=timezone.utc)


def main() -> None:
    fake = FakeLinear(port=8997).start()
    project = fake.add_project("Website redesign", target_date=date(2026, 12, 11))
    fake.add_issue(project, "Checkout page", estimate=3, labels=("client-visible",))
    print(f"fake Linear at {fake.api_url} (key {fake.api_key}); Ctrl-C stops it", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
