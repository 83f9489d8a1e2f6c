"""The few Jira Cloud REST v3 calls expect makes: a fixVersion or an epic, its issues, and whether any changed.

A link's target is the project key and its ref `version:<id>` or `epic:<KEY-123>`. A full read lists the issues
(`GET /rest/api/3/search/jql`, nextPageToken pages) for progress (story points when the issues carry them) and
finished work; it leaves a marker in the link's etag: Jira's own time of that read and a fingerprint of the
version or epic. An idle poll then costs two small requests: the version (or epic) itself, and one search for
issues `updated >=` the marker, written in the API user's time zone as JQL wants it.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from bot.domain.errors import UserError
from bot.domain.trackers import Issue, MilestoneSnapshot, TrackerError
from bot.mrkdwn import code, fmt

API = "/rest/api/3"
PAGE = 100
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MARGIN = timedelta(minutes=5)  # JQL dates have whole minutes, and Jira's clock is not ours
REFRESH = timedelta(hours=6)  # a full read at least this often: an issue moved out of an epic changes nothing we see
PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]{1,9}$")
ISSUE_KEY = re.compile(r"^([A-Z][A-Z0-9_]{1,9})-[1-9][0-9]{0,9}$")
LINK_EXAMPLE = '/expect link acme-website #2 jira=ACME version="Release 1.0"'
EPIC_EXAMPLE = "/expect link acme-website #2 jira=ACME epic=ACME-123"
ISSUE_FIELDS = ("summary", "status", "labels", "resolutiondate", "statuscategorychangedate", "updated")
_ZONES: dict[tuple[str, str], ZoneInfo] = {}  # (site, account) -> the account's time zone, asked once per process


@dataclass
class Jira:
    """A Jira Cloud REST client (basic auth: an Atlassian account's email and API token); `requests` counts calls."""

    base_url: str
    email: str
    token: str
    points_field: str = "customfield_10016"
    http: httpx.Client = field(default=None)
    requests: int = 0
    paused_for: int | None = None
    _listed: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if self.http is None:
            self.http = httpx.Client(timeout=TIMEOUT, auth=(self.email, self.token))

    def close(self) -> None:
        self.http.close()

    # --- what /expect link asks ----------------------------------------------------------------------------

    def find(self, project: str, wanted: str) -> MilestoneSnapshot:
        """`version:<name>` or `epic:<KEY-123>` of `project`, read in full now."""
        what, _, value = wanted.partition(":")
        ref = wanted if what == "epic" else f"version:{self._version_named(project, value)['id']}"
        fingerprint, served = self._read(ref)
        if fingerprint["project"] not in (None, project):
            raise TrackerError(f"{value} is not in project {project}.", permanent=True)
        return self._full(project, ref, fingerprint, served)

    def _version_named(self, project: str, name: str) -> dict:
        start = 0
        while True:
            page = self._get(f"/project/{project}/version",
                             {"startAt": start, "maxResults": 50, "query": name}).json()
            for version in page.get("values") or ():
                if version["name"].strip().lower() == name.strip().lower():
                    return version
            if page.get("isLast", True) or not page.get("values"):
                raise TrackerError(f"{project} has no version called “{name}”.", permanent=True)
            start += len(page["values"])

    # --- what every poll asks ------------------------------------------------------------------------------

    def snapshot(self, target: str, ref: str, etag: str | None = None) -> MilestoneSnapshot | None:
        """The version or epic now, or None when neither it nor any of its issues changed since the marker."""
        fingerprint, served = self._read(ref)
        marker = _read_marker(etag)
        if marker and served and marker[1] == fingerprint["print"] and served - marker[0] < REFRESH:
            probe = self._search(f"{_scope(target, ref)} AND updated >= {self._jql_time(marker[0])}", ("id",), 1)
            if not probe["issues"]:
                return None
        return self._full(target, ref, fingerprint, served)

    def closed_issues(self, target: str, ref: str, since: datetime) -> list[Issue]:
        """Issues of the version or epic done after `since` (the last full read's list when there was one)."""
        issues = self._listed.pop((target, ref), None)
        if issues is None:
            jql = f"{_scope(target, ref)} AND statusCategory = Done AND updated >= {self._jql_time(since)}"
            issues = list(self._issues(jql))
        return [issue for issue in (_finished(item) for item in issues) if issue and issue.closed_at > since]

    def _full(self, target: str, ref: str, fingerprint: dict, served: datetime | None) -> MilestoneSnapshot:
        issues = list(self._issues(f"{_scope(target, ref)} ORDER BY key ASC"))
        self._listed[(target, ref)] = issues
        done = [item for item in issues if _is_done(item)]
        points = [_points(item, self.points_field) for item in issues]
        total_points = sum(p for p in points if p)
        done_points = sum(_points(item, self.points_field) or 0 for item in done)
        return MilestoneSnapshot(
            ref=ref, title=fingerprint["title"], open=len(issues) - len(done), closed=len(done), due=fingerprint["due"],
            etag=_marker(served and served - MARGIN, fingerprint["print"]), url=fingerprint["url"],
            points_done=done_points if total_points else None, points_total=total_points or None)

    def _read(self, ref: str) -> tuple[dict, datetime | None]:
        """The version or epic itself as a fingerprint (title, due date, what changes it), and Jira's time."""
        what, _, value = ref.partition(":")
        if what == "epic":
            response = self._get(f"/issue/{value}", {"fields": "summary,duedate,project,issuetype"})
            item = _epic_checked(response.json(), value)
            fields = item["fields"]
            title, due = f"{item['key']} {fields.get('summary') or ''}".strip(), _day(fields.get("duedate"))
            url, project, extra = f"{self.base_url}/browse/{item['key']}", fields["project"]["key"], ""
        else:
            response = self._get(f"/version/{value}", {"expand": "issuesstatus"})
            item = response.json()
            title, due, project = item["name"], _day(item.get("releaseDate")), None
            url = f"{self.base_url}/projects/{item.get('projectId')}/versions/{item['id']}"
            extra = repr(sorted((item.get("issuesStatusForFixVersion") or {}).items()))
        text = f"{title}|{due}|{extra}"
        fingerprint = {"title": title, "due": due, "url": url, "project": project,
                       "print": hashlib.sha256(text.encode()).hexdigest()[:16]}
        return fingerprint, _served_at(response)

    def _issues(self, jql: str):
        fields = (*ISSUE_FIELDS, self.points_field)
        token = None
        while True:
            page = self._search(jql, fields, PAGE, token)
            yield from page["issues"]
            token = page.get("nextPageToken")
            if page.get("isLast", True) or not token:
                return

    def _search(self, jql: str, fields: tuple[str, ...], size: int, token: str | None = None) -> dict:
        params = {"jql": jql, "fields": ",".join(fields), "maxResults": size}
        if token:
            params["nextPageToken"] = token
        page = self._get("/search/jql", params).json()
        page["issues"] = page.get("issues") or []
        return page

    def _jql_time(self, instant: datetime) -> str:
        """A JQL date-time: whole minutes in the time zone of the user the API token belongs to."""
        account = (self.base_url, self.email)
        if account not in _ZONES:
            name = self._get("/myself").json().get("timeZone") or "UTC"
            try:
                _ZONES[account] = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                _ZONES[account] = ZoneInfo("UTC")
        return f'"{instant.astimezone(_ZONES[account]).strftime("%Y-%m-%d %H:%M")}"'

    def _get(self, path: str, params: dict | None = None) -> httpx.Response:
        if self.paused_for is not None:
            raise TrackerError("Jira asked us to slow down.", wait=self.paused_for)
        self.requests += 1
        try:
            response = self.http.get(self.base_url + API + path, params=params, headers={"Accept": "application/json"})
        except httpx.HTTPError as error:
            raise TrackerError(f"Jira did not answer ({type(error).__name__}).") from error
        if response.status_code == 200:
            return response
        refusal = _refusal(response)
        if response.status_code == 429:
            self.paused_for = refusal.wait
        raise refusal


def _refusal(response: httpx.Response) -> TrackerError:
    try:
        body = response.json()
        messages = [*body.get("errorMessages", ()), *(body.get("errors") or {}).values()]
    except (ValueError, AttributeError):
        messages = []
    said = " ".join(str(m) for m in messages if m) or response.reason_phrase
    wait = None
    retry_after = response.headers.get("retry-after", "")
    if retry_after.isdigit():
        wait = max(1, int(retry_after))
    elif response.status_code == 429:
        wait = 60
    permanent = wait is None and response.status_code in (400, 401, 403, 404)
    return TrackerError(f"Jira said {response.status_code}: {said}", permanent=permanent, wait=wait)


def _epic_checked(item: dict, key: str) -> dict:
    kind = item["fields"].get("issuetype") or {}
    if kind.get("hierarchyLevel") != 1 and str(kind.get("name", "")).lower() != "epic":
        raise TrackerError(f"{key} is a {kind.get('name') or 'work item'}, not an epic.", permanent=True)
    return item


def _scope(project: str, ref: str) -> str:
    what, _, value = ref.partition(":")
    if what == "epic":
        return f"parent = {value}"
    return f'project = "{project}" AND fixVersion = {int(value)}'


def _is_done(item: dict) -> bool:
    status = item["fields"].get("status") or {}
    return (status.get("statusCategory") or {}).get("key") == "done"


def _points(item: dict, points_field: str) -> float | None:
    value = item["fields"].get(points_field)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None


def _finished(item: dict) -> Issue | None:
    if not _is_done(item):
        return None
    fields = item["fields"]
    closed = _instant(fields.get("resolutiondate") or fields.get("statuscategorychangedate"))
    if closed is None:
        return None
    return Issue(item["key"], fields.get("summary") or item["key"], closed, tuple(fields.get("labels") or ()))


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(timezone.utc) if text else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def _served_at(response: httpx.Response) -> datetime | None:
    """Jira's clock, from its Date header: what `updated >=` is compared with."""
    try:
        return parsedate_to_datetime(response.headers["date"]).astimezone(timezone.utc)
    except (KeyError, TypeError, ValueError):
        return None


def _marker(cursor: datetime | None, fingerprint: str) -> str | None:
    if cursor is None:  # without Jira's time, every poll reads in full
        return None
    return f"jira1|{cursor.astimezone(timezone.utc).isoformat(timespec='seconds')}|{fingerprint}"


def _read_marker(etag: str | None) -> tuple[datetime, str] | None:
    parts = (etag or "").split("|")
    if len(parts) != 3 or parts[0] != "jira1":
        return None
    try:
        return datetime.fromisoformat(parts[1]), parts[2]
    except ValueError:
        return None


def issue_refs(issue: dict, changelog: dict | None = None) -> set[str]:
    """The refs (`version:<id>`, `epic:<KEY>`) a webhook's issue belongs to, or belonged to before this change."""
    fields = issue.get("fields") or {}
    refs = {f"version:{version['id']}" for version in fields.get("fixVersions") or () if version.get("id")}
    parent = (fields.get("parent") or {}).get("key")
    if parent:
        refs.add(f"epic:{parent}")
    for item in (changelog or {}).get("items") or ():
        name = str(item.get("field", "")).lower()
        if name == "fix version":
            refs.update(f"version:{value}" for value in (item.get("from"), item.get("to")) if value)
        elif name in ("parent", "issueparentassociation", "epic link"):
            refs.update(f"epic:{value}" for value in (item.get("fromString"), item.get("toString"))
                        if value and ISSUE_KEY.match(value))
    return refs


def parse_link(value: str, options: dict[str, str]) -> tuple[str, str]:
    """`jira=<PROJECTKEY> version="<fixVersion name>"` or `epic=<KEY-123>` as (key, `version:<name>`/`epic:<KEY>`)."""
    project = value.strip().upper()
    if not PROJECT_KEY.match(project):
        raise UserError(fmt("{key} is not a Jira project key. Write the key, such as ACME.", key=code(value[:100])),
                        LINK_EXAMPLE)
    version, epic = options.get("version"), options.get("epic")
    if bool(version) == bool(epic):
        raise UserError("Give the Jira project (jira=KEY) and either its fix version (version=\"name\") or an epic "
                        "(epic=KEY-123), one of the two.", LINK_EXAMPLE)
    if epic:
        epic = epic.strip().upper()
        if not ISSUE_KEY.match(epic):
            raise UserError(fmt("{epic} is not an issue key. Write it as {project}-123.", epic=code(epic[:100]),
                                project=project), EPIC_EXAMPLE)
        return project, f"epic:{epic}"
    return project, f"version:{version.strip()[:255]}"


def find(client: Jira, project: str, wanted: str) -> MilestoneSnapshot:
    """The version or epic `wanted` of `project`, read now; a TrackerError in Jira's words if not."""
    return client.find(project, wanted)


def from_settings(settings) -> Jira:
    """The Jira client the settings describe (JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN, JIRA_STORY_POINTS_FIELD)."""
    return Jira(settings.jira_base_url or "", settings.jira_email or "", settings.jira_api_token or "",
                settings.jira_points_field)
