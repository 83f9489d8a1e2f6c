"""The few Linear GraphQL queries expect sends: a project or project milestone, whether anything in it changed
(an `updatedAt` filter), and its issues, a cursor page at a time.

A link's ref is `project:<id>` or `milestone:<id>` (a project milestone); its target is the project or milestone as
it was typed (shown in messages). The link's etag holds the newest `updatedAt` seen, so an idle poll is one small
query.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from time import time

import httpx

from bot.domain.errors import UserError
from bot.domain.trackers import Issue, MilestoneSnapshot, TrackerError
from bot.mrkdwn import code, fmt

PAGE = 100
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
SLUG_ID = re.compile(r"^(?:[a-z0-9-]*-)?([0-9a-f]{12})$", re.I)
MILESTONE_IN_URL = re.compile(r"milestone\W{0,3}(" + UUID.pattern + ")", re.I)
PROJECT_URL = re.compile(r"^https?://linear\.app/[^/]+/project/([^/?#]+)", re.I)
NOT_FOUND = ("ENTITY_NOT_FOUND", "INPUT_ERROR", "INVALID_INPUT")
HEAD = {
    "project": "id name slugId url targetDate updatedAt",
    "projectMilestone": "id name targetDate updatedAt project { id name slugId url targetDate updatedAt }",
}
ISSUE = "id identifier title estimate completedAt canceledAt updatedAt state { id type } labels { nodes { id name } }"
OPERATION = {"project": "Project", "projectMilestone": "ProjectMilestone"}
NOUN = {"project": "project", "projectMilestone": "milestone"}
LINK_EXAMPLE = "/expect link acme-website #2 linear=https://linear.app/acme/project/website-redesign-8c1a2b3c4d5e"


def changes_query(root: str) -> str:
    return (f"query Expect{OPERATION[root]}Changes($id: String!, $since: DateTimeOrDuration!) {{ {root}(id: $id) {{ "
            f"{HEAD[root]} issues(first: 1, filter: {{ updatedAt: {{ gt: $since }} }}) {{ nodes {{ id updatedAt }} }} }} }}")


def issues_query(root: str) -> str:
    return (f"query Expect{OPERATION[root]}Issues($id: String!, $after: String, $filter: IssueFilter) {{ "
            f"{root}(id: $id) {{ {HEAD[root]} issues(first: {PAGE}, after: $after, filter: $filter) {{ "
            f"nodes {{ {ISSUE} }} pageInfo {{ hasNextPage endCursor }} }} }} }}")


QUERIES = [make(root) for root in HEAD for make in (changes_query, issues_query)]


class NotFound(TrackerError):
    """Linear has no such project or milestone (or the key may not see it)."""


@dataclass
class Linear:
    """A Linear GraphQL client for one personal API key; `requests` counts what it asked."""

    api_url: str
    api_key: str
    http: httpx.Client = field(default=None)
    requests: int = 0
    paused_for: int | None = None

    def __post_init__(self) -> None:
        if self.http is None:
            self.http = httpx.Client(timeout=TIMEOUT)

    def close(self) -> None:
        self.http.close()

    def find(self, text: str) -> MilestoneSnapshot:
        """A project (id or slug id), a project milestone (id), or either's linear.app URL, read now."""
        root, key = parse_ref(text)
        if root is None:
            raise TrackerError(f"“{text[:100]}” is not a Linear project, project milestone or linear.app URL.",
                               permanent=True)
        try:
            head, nodes = self._pages(root, key, None)
        except NotFound:
            if root != "project" or not UUID.fullmatch(key):
                raise
            root = "projectMilestone"  # a bare id may be either
            head, nodes = self._pages(root, key, None)
        return snapshot_of(root, head, nodes)

    def snapshot(self, target: str, ref: str, etag: str | None = None) -> MilestoneSnapshot | None:
        """The project or milestone with its progress, or None when nothing in it was updated after `etag`."""
        root, key = _split(ref)
        if etag:
            head = self._query(changes_query(root), {"id": key, "since": etag})[root]
            if not _newer(etag, [*_stamps(root, head), *(node["updatedAt"] for node in head["issues"]["nodes"])]):
                return None
        return snapshot_of(root, *self._pages(root, key, None))

    def closed_issues(self, target: str, ref: str, since: datetime) -> list[Issue]:
        """Issues of the project or milestone completed after `since`."""
        root, key = _split(ref)
        found = self._pages(root, key, {"completedAt": {"gt": _iso(since)}})[1]
        return [issue for issue in (issue_of(node) for node in found) if issue and issue.closed_at > since]

    def _pages(self, root: str, key: str, filter_: dict | None) -> tuple[dict, list[dict]]:
        nodes, after, head = [], None, None
        while True:
            head = self._query(issues_query(root), {"id": key, "after": after, "filter": filter_})[root]
            page = head["issues"]
            nodes += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                return head, nodes
            after = page["pageInfo"]["endCursor"]

    def _query(self, query: str, variables: dict) -> dict:
        if self.paused_for is not None:
            raise TrackerError("Linear's rate limit is used up for now.", wait=self.paused_for)
        self.requests += 1
        try:
            response = self.http.post(self.api_url, json={"query": query, "variables": variables},
                                      headers={"Authorization": self.api_key, "User-Agent": "expect-bot"})
        except httpx.HTTPError as error:
            raise TrackerError(f"Linear did not answer ({type(error).__name__}).") from error
        try:
            body = response.json()
        except ValueError:
            body = {}
        errors = body.get("errors") if isinstance(body, dict) else None
        if response.status_code == 200 and not errors:
            if response.headers.get("x-ratelimit-requests-remaining") == "0":
                self.paused_for = _until_reset(response.headers)
            return body["data"]
        raise _refusal(response, errors or [])


def _refusal(response: httpx.Response, errors: list) -> TrackerError:
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    extensions = first.get("extensions") or {}
    error_code = str(extensions.get("code") or "")
    words = first.get("message") or extensions.get("userPresentableMessage") or response.reason_phrase
    if response.status_code == 429 or error_code == "RATELIMITED":
        return TrackerError(f"Linear's rate limit is used up for now: {words}", wait=_until_reset(response.headers))
    status = f"Linear said {response.status_code}" if response.status_code != 200 else "Linear said"
    if error_code in NOT_FOUND or "not found" in str(words).lower():
        return NotFound(f"{status}: {words}", permanent=True)
    return TrackerError(f"{status}: {words}", permanent=response.status_code in (401, 403))


def _until_reset(headers: httpx.Headers) -> int:
    """Seconds to wait: Retry-After, else until X-RateLimit-Requests-Reset (epoch ms) on Linear's own clock."""
    if headers.get("retry-after", "").isdigit():
        return max(1, int(headers["retry-after"]))
    try:
        served = parsedate_to_datetime(headers["date"]).timestamp() if "date" in headers else time()
        return max(1, int(int(headers["x-ratelimit-requests-reset"]) / 1000 - served))
    except (KeyError, TypeError, ValueError):
        return 3600


def parse_ref(text: str) -> tuple[str | None, str]:
    """("project" | "projectMilestone" | None, the id to ask for) from what was typed after `linear=`."""
    text = text.strip().strip("<>").split("|")[0]
    url = PROJECT_URL.match(text)
    if url:
        milestone = MILESTONE_IN_URL.search(text[url.end():])
        if milestone:
            return "projectMilestone", milestone.group(1).lower()
        slug = SLUG_ID.match(url.group(1))
        return ("project", slug.group(1).lower()) if slug else (None, text)
    if UUID.fullmatch(text):
        return "project", text.lower()
    slug = SLUG_ID.match(text)
    return ("project", slug.group(1).lower()) if slug else (None, text)


def _split(ref: str) -> tuple[str, str]:
    noun, _, key = ref.partition(":")
    return ("project" if noun == "project" else "projectMilestone"), key


def _stamps(root: str, head: dict) -> list[str]:
    return [head["updatedAt"], head["project"]["updatedAt"]] if root == "projectMilestone" else [head["updatedAt"]]


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _iso(instant: datetime) -> str:
    instant = instant.astimezone(timezone.utc)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def _newer(mark: str, stamps: list[str]) -> bool:
    seen = _instant(mark)
    return any(_instant(stamp) > seen for stamp in stamps if stamp)


def snapshot_of(root: str, head: dict, nodes: list[dict]) -> MilestoneSnapshot:
    """A project or project milestone and all its issues as a snapshot; canceled issues do not count."""
    counted = [node for node in nodes if node["state"]["type"] != "canceled"]
    done = [node for node in counted if node["state"]["type"] == "completed"]
    points_total = sum(node.get("estimate") or 0 for node in counted)
    points_done = sum(node.get("estimate") or 0 for node in done)
    project = head["project"] if root == "projectMilestone" else head
    due = head.get("targetDate") or project.get("targetDate")
    title = f"{project['name']} › {head['name']}" if root == "projectMilestone" else head["name"]
    stamps = [*_stamps(root, head), *(node["updatedAt"] for node in nodes)]
    return MilestoneSnapshot(
        ref=f"{NOUN[root]}:{head['id']}", title=title, open=len(counted) - len(done), closed=len(done),
        due=date.fromisoformat(due[:10]) if due else None, etag=max(stamps, key=_instant), url=project.get("url"),
        points_done=points_done if points_total else None, points_total=points_total or None,
    )


def issue_of(node: dict) -> Issue | None:
    """A completed issue (GraphQL node or webhook `data`), else None."""
    closed = _instant(node.get("completedAt"))
    if closed is None or node.get("canceledAt") or (node.get("state") or {}).get("type") != "completed":
        return None
    labels = node.get("labels") or ()
    labels = labels.get("nodes", ()) if isinstance(labels, dict) else labels
    return Issue(node.get("identifier") or node["id"], node["title"], closed, tuple(label["name"] for label in labels))


def parse_link(value: str, options: dict[str, str]) -> tuple[str, str]:
    """`linear=<project or milestone id or URL>` as (target, the same text), or a UserError with the right form."""
    root, key = parse_ref(value)
    if root is None:
        raise UserError(fmt("{value} is not a Linear project or project milestone. Give its id, its slug id or its "
                            "linear.app URL.", value=code(value[:100])), LINK_EXAMPLE)
    return key, value


def find(client: Linear, target: str, wanted: str) -> MilestoneSnapshot:
    """The project or project milestone `wanted`, read now; a TrackerError in Linear's words if not."""
    return client.find(wanted)


def from_settings(settings) -> Linear:
    """The Linear client the settings describe (LINEAR_API_KEY, LINEAR_API_URL)."""
    return Linear(settings.linear_api_url, settings.linear_api_key or "")


@dataclass(frozen=True)
class WebhookChanges:
    """What one webhook says: a snapshot without counts for each project or milestone it touches (progress is read
    at the next poll), the issue it completed, and the issue it reopened (its identifier), if any."""
    snapshots: list[MilestoneSnapshot] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    reopened: str | None = None


def webhook_changes(payload: dict) -> WebhookChanges:
    """Read an Issue or Project webhook; anything else changes nothing."""
    data, kind = payload["data"], payload.get("type")
    if kind == "Project":
        return WebhookChanges([_partial("project", data["id"], data["name"], data.get("targetDate")),
                               *(_partial("milestone", child["id"], f"{data['name']} › {child['name']}",
                                          child.get("targetDate")) for child in data.get("milestones") or ())])
    if kind != "Issue" or not data.get("projectId"):
        return WebhookChanges()
    project = data.get("project") or {"name": ""}
    found = [_partial("project", data["projectId"], project["name"], None)]
    milestone = data.get("projectMilestone")
    if milestone:
        found.append(_partial("milestone", milestone["id"], f"{project['name']} › {milestone['name']}",
                              milestone.get("targetDate")))
    issue = issue_of(data) if payload.get("action") != "remove" else None
    return WebhookChanges(found, [issue] if issue else [], _reopened(payload, data, issue))


def _reopened(payload: dict, data: dict, completed: Issue | None) -> str | None:
    was_completed = bool((payload.get("updatedFrom") or {}).get("completedAt"))
    if completed is None and (was_completed or payload.get("action") == "remove"):
        return data.get("identifier") or data["id"]
    return None


def _partial(noun: str, key: str, title: str, due: str | None) -> MilestoneSnapshot:
    return MilestoneSnapshot(ref=f"{noun}:{key}", title=title, open=0, closed=0,
                             due=date.fromisoformat(due[:10]) if due else None)
