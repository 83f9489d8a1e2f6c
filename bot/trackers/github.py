"""The few GitHub REST calls expect makes: a milestone (conditionally, by ETag) and its closed issues."""
from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from dataclasses import dataclass, field
from datetime import date, datetime

import httpx

from bot.domain.errors import UserError
from bot.domain.trackers import Issue, MilestoneSnapshot, TrackerError
from bot.mrkdwn import code, fmt

API_VERSION = "2022-11-28"
PER_PAGE = 100
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
REPO = re.compile(r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")
LINK_EXAMPLE = '/expect link acme-website #2 github=acme/website milestone="v1.0"'


@dataclass
class GitHub:
    """A GitHub (or GitHub Enterprise Server) REST client for one token; `requests` counts what it asked."""

    api_url: str
    token: str
    http: httpx.Client = field(default=None)
    requests: int = 0
    paused_for: int | None = None

    def __post_init__(self) -> None:
        self.api_url = self.api_url.rstrip("/")
        if self.http is None:
            self.http = httpx.Client(timeout=TIMEOUT)

    def close(self) -> None:
        self.http.close()

    def find_milestone(self, repo: str, ref: str) -> MilestoneSnapshot:
        """The milestone `ref` (its number, or its exact title) of `repo`, open or closed."""
        if ref.lstrip("#").isdigit():
            found = self.milestone(repo, int(ref.lstrip("#")))
            assert found is not None
            return found
        for page in self._pages(f"/repos/{repo}/milestones", {"state": "all", "per_page": PER_PAGE}):
            for item in page:
                if item["title"].strip().lower() == ref.strip().lower():
                    return _snapshot(item, None)
        raise TrackerError(f"{repo} has no milestone called “{ref}”.", permanent=True)

    def snapshot(self, target: str, ref: str, etag: str | None = None) -> MilestoneSnapshot | None:
        """The linked milestone (`ref` is its number in repo `target`), or None when unchanged since `etag`."""
        return self.milestone(target, int(ref), etag)

    def milestone(self, repo: str, number: int, etag: str | None = None) -> MilestoneSnapshot | None:
        """The milestone, or None when it has not changed since `etag` (a 304 costs no rate limit)."""
        response = self._get(f"/repos/{repo}/milestones/{number}", etag=etag)
        if response.status_code == 304:
            return None
        return _snapshot(response.json(), response.headers.get("etag"))

    def closed_issues(self, repo: str, ref: str, since: datetime) -> list[Issue]:
        """Issues (not pull requests) of the milestone numbered `ref` closed after `since`."""
        params = {"milestone": int(ref), "state": "closed", "since": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "per_page": PER_PAGE}
        issues = []
        for page in self._pages(f"/repos/{repo}/issues", params):
            for item in page:
                closed = _instant(item.get("closed_at"))
                if "pull_request" in item or closed is None or closed <= since:
                    continue
                issues.append(Issue(str(item["number"]), item["title"], closed,
                                    tuple(label["name"] for label in item.get("labels") or ())))
        return issues

    def _pages(self, path: str, params: dict):
        url: str | None = self.api_url + path
        while url:
            response = self._get(url, params=params)
            yield response.json()
            found = _NEXT.search(response.headers.get("link", ""))
            url, params = (found.group(1), None) if found else (None, None)

    def _get(self, path: str, *, params: dict | None = None, etag: str | None = None) -> httpx.Response:
        url = path if path.startswith("http") else self.api_url + path
        headers = {"Accept": "application/vnd.github+json", "Authorization": f"Bearer {self.token}",
                   "X-GitHub-Api-Version": API_VERSION, "User-Agent": "expect-bot"}
        if etag:
            headers["If-None-Match"] = etag
        if self.paused_for is not None:
            raise TrackerError("GitHub's rate limit is used up for now.", wait=self.paused_for)
        self.requests += 1
        try:
            response = self.http.get(url, params=params, headers=headers)
        except httpx.HTTPError as error:
            raise TrackerError(f"GitHub did not answer ({type(error).__name__}).") from error
        if response.status_code in (200, 304):
            if response.headers.get("x-ratelimit-remaining") == "0":
                self.paused_for = _until_reset(response.headers)
            return response
        raise _refusal(response)


def _refusal(response: httpx.Response) -> TrackerError:
    try:
        message = str(response.json().get("message") or "")
    except ValueError:
        message = ""
    message = f"GitHub said {response.status_code}: {message or response.reason_phrase}"
    headers = response.headers
    wait = None
    if headers.get("retry-after", "").isdigit():
        wait = int(headers["retry-after"])
    elif headers.get("x-ratelimit-remaining") == "0":
        wait = _until_reset(headers)
    permanent = wait is None and response.status_code in (401, 403, 404, 410, 422)
    return TrackerError(message, permanent=permanent, wait=wait)


def _until_reset(headers: httpx.Headers) -> int:
    """Seconds until the rate limit resets, measured on GitHub's own clock (its Date header)."""
    try:
        served = parsedate_to_datetime(headers["date"]).timestamp()
        return max(1, int(headers["x-ratelimit-reset"]) - int(served))
    except (KeyError, TypeError, ValueError):
        return 3600


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _snapshot(item: dict, etag: str | None) -> MilestoneSnapshot:
    due = item.get("due_on")
    return MilestoneSnapshot(
        ref=str(item["number"]), title=item["title"], open=int(item.get("open_issues") or 0),
        closed=int(item.get("closed_issues") or 0), due=date.fromisoformat(due[:10]) if due else None,
        etag=etag, url=item.get("html_url"),
    )


def repo_name(text: str) -> str:
    """`owner/repo` as typed (a github.com URL works too), or None when it is not one."""
    text = text.strip().removeprefix("https://github.com/").removesuffix(".git").strip("/")
    return text.lower() if REPO.match(text) else ""


def from_settings(settings) -> GitHub:
    """The GitHub client the settings describe (GITHUB_TOKEN, GITHUB_API_URL)."""
    return GitHub(settings.github_api_url, settings.github_token or "")


def snapshot_of(item: dict) -> MilestoneSnapshot:
    """A milestone object (REST answer or webhook payload) as a snapshot."""
    return _snapshot(item, None)


def issue_of(item: dict) -> Issue | None:
    """A closed issue (not a pull request) of a webhook payload, else None."""
    closed = _instant(item.get("closed_at"))
    if "pull_request" in item or closed is None or item.get("state") != "closed":
        return None
    return Issue(str(item["number"]), item["title"], closed, tuple(label["name"] for label in item.get("labels") or ()))


def parse_link(value: str, options: dict[str, str]) -> tuple[str, str]:
    """`github=<owner>/<repo> milestone="<title or number>"` as (repo, milestone), or a UserError."""
    if not options.get("milestone"):
        raise UserError("Give the project, its milestone, the repository (github=owner/repo) and the GitHub "
                        "milestone (milestone=\"title\" or its number).", LINK_EXAMPLE)
    repo = repo_name(value)
    if not repo:
        raise UserError(fmt("{repo} is not a repository. Write it as owner/repo.", repo=code(value[:100])), LINK_EXAMPLE)
    return repo, options["milestone"]


def find(client: GitHub, repo: str, wanted: str) -> MilestoneSnapshot:
    """The milestone `wanted` (title or number) of `repo`, read now; a TrackerError in GitHub's words if not."""
    return client.find_milestone(repo, wanted)
