import json
from datetime import date, datetime, timezone
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft4Validator

from bot.devtools.fakegithub import FakeGitHub

VENDOR = Path(__file__).parent / "vendor" / "github"
REPO = "acme/website"
CLOSED = datetime(2026, 11, 20, tzinfo=timezone.utc)


def schema(name):
    return as_json_schema(json.loads((VENDOR / f"{name}.json").read_text()))


def as_json_schema(node):
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        for key in ("anyOf", "oneOf"):
            if key in node:
                node[key] = [*node[key], {"type": "null"}]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
    return node


def check(name, body):
    errors = sorted(Draft4Validator(schema(name)).iter_errors(body), key=str)
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@pytest.fixture
def github():
    fake = FakeGitHub().start()
    number = fake.add_milestone(REPO, "v1.0", due_on=date(2026, 12, 4))
    fake.add_milestone(REPO, "v2.0")
    fake.add_issue(REPO, "Checkout page", milestone=number, labels=("client-visible",), closed_at=CLOSED)
    fake.add_issue(REPO, "Open task", milestone=number)
    fake.add_issue(REPO, "A pull request", milestone=number, closed_at=CLOSED, pull_request=True)
    yield fake
    fake.stop()


def get(fake, path, token=None, **params):
    return httpx.get(f"{fake.base_url}{path}", params=params,
                     headers={"Authorization": f"Bearer {token or fake.token}"})


def test_milestone_answers_match_githubs_description(github):
    check("milestone", get(github, f"/repos/{REPO}/milestones/1").json())
    check("milestone-list", get(github, f"/repos/{REPO}/milestones", state="all").json())


def test_issue_list_matches_githubs_description(github):
    issues = get(github, f"/repos/{REPO}/issues", milestone=1, state="all", per_page=100).json()
    assert len(issues) == 3
    check("issue-list", issues)


@pytest.mark.parametrize("path,token,status", [
    (f"/repos/{REPO}/milestones/9", None, 404), ("/repos/acme/nowhere/milestones", None, 404),
    (f"/repos/{REPO}/milestones/1", "ghp_wrong", 401),
])
def test_errors_match_githubs_description(github, path, token, status):
    answer = get(github, path, token=token)
    assert answer.status_code == status
    check("basic-error", answer.json())
    assert set(answer.json()) >= {"message", "documentation_url"}


def test_rate_limit_headers_and_free_304s(github):
    first = get(github, f"/repos/{REPO}/milestones/1")
    remaining = int(first.headers["x-ratelimit-remaining"])
    again = httpx.get(f"{github.base_url}/repos/{REPO}/milestones/1",
                      headers={"Authorization": f"Bearer {github.token}", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and int(again.headers["x-ratelimit-remaining"]) == remaining
    github.close_issue(REPO, 2, CLOSED)
    changed = httpx.get(f"{github.base_url}/repos/{REPO}/milestones/1",
                        headers={"Authorization": f"Bearer {github.token}", "If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.json()["closed_issues"] == 2
    github.remaining = 0
    refused = get(github, f"/repos/{REPO}/milestones/1")
    assert refused.status_code == 403 and refused.headers["x-ratelimit-remaining"] == "0"
    check("basic-error", refused.json())
