import json
from datetime import date, datetime, timezone
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft7Validator

from bot.devtools.fakejira import FakeJira

VENDOR = Path(__file__).parent / "vendor" / "jira"
DONE_AT = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


def check(name, body):
    schema = json.loads((VENDOR / f"{name}.json").read_text())
    errors = sorted(Draft7Validator(schema).iter_errors(body), key=str)
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@pytest.fixture
def jira():
    fake = FakeJira(time_zone="America/New_York").start()
    version = fake.add_version("ACME", "Release 1.0", release_date=date(2026, 12, 11))
    fake.add_version("ACME", "Release 2.0")
    epic = fake.add_issue("ACME", "Checkout", type="Epic", due=date(2026, 12, 18))
    fake.add_issue("ACME", "Card form", version=version, parent=epic, labels=("client-visible",), points=3,
                   done_at=DONE_AT)
    fake.add_issue("ACME", "Wallet", version=version, parent=epic, points=5)
    yield fake
    fake.stop()


def get(fake, path, auth=None, **params):
    return httpx.get(f"{fake.base_url}/rest/api/3{path}", params=params, auth=auth or (fake.email, fake.token))


def test_versions_match_jiras_description(jira):
    page = get(jira, "/project/ACME/version", startAt=0, maxResults=1, query="release").json()
    check("page-version", page)
    assert (page["total"], page["isLast"], [v["name"] for v in page["values"]]) == (2, False, ["Release 1.0"])
    second = get(jira, "/project/ACME/version", startAt=1, maxResults=1, query="release").json()
    assert (second["isLast"], [v["name"] for v in second["values"]]) == (True, ["Release 2.0"])
    version = get(jira, f"/version/{page['values'][0]['id']}", expand="issuesstatus").json()
    check("version", version)
    assert version["releaseDate"] == "2026-12-11"
    assert version["issuesStatusForFixVersion"] == {"toDo": 1, "inProgress": 0, "done": 1, "unmapped": 0}


def test_search_pages_and_issue_fields_match_jiras_description(jira):
    fields = "summary,status,labels,resolutiondate,statuscategorychangedate,updated,issuetype,fixVersions,parent,customfield_10016"
    first = get(jira, "/search/jql", jql='project = "ACME" ORDER BY key ASC', fields=fields, maxResults=2).json()
    check("search-jql", first)
    assert [i["key"] for i in first["issues"]] == ["ACME-1", "ACME-2"] and first["isLast"] is False
    rest = get(jira, "/search/jql", jql='project = "ACME" ORDER BY key ASC', fields=fields, maxResults=2,
               nextPageToken=first["nextPageToken"]).json()
    assert [i["key"] for i in rest["issues"]] == ["ACME-3"] and rest["isLast"] is True and "nextPageToken" not in rest
    issue = first["issues"][1]["fields"]
    check("status-details", issue["status"])
    check("issue-type-details", issue["issuetype"])
    check("version", issue["fixVersions"][0])
    assert issue["status"]["statusCategory"]["key"] == "done"
    assert issue["resolutiondate"] == "2026-11-20T04:30:00.000-0500"
    assert issue["parent"]["key"] == "ACME-1" and issue["customfield_10016"] == 3
    check("issue", get(jira, "/issue/ACME-1", fields="summary,duedate,issuetype,project").json())
    check("user", get(jira, "/myself").json())


def test_updated_is_read_in_the_users_time_zone(jira):
    def keys(when):
        jql = f'project = "ACME" AND statusCategory = Done AND updated >= "{when}"'
        return [i["key"] for i in get(jira, "/search/jql", jql=jql).json()["issues"]]

    assert keys("2026-11-20 04:30") == ["ACME-2"]
    assert keys("2026-11-20 04:31") == []


@pytest.mark.parametrize("path,params,auth,status", [
    ("/project/NOPE/version", {}, None, 404), ("/version/99", {}, None, 404), ("/issue/ACME-99", {}, None, 404),
    ("/search/jql", {"jql": "fixVersion = 99 AND project = \"ACME\""}, None, 400),
    ("/search/jql", {"jql": "summary ~ checkout"}, None, 400),
    ("/myself", {}, ("bot@acme.test", "wrong"), 401),
])
def test_errors_match_jiras_description(jira, path, params, auth, status):
    answer = get(jira, path, auth=auth, **params)
    assert answer.status_code == status
    check("error-collection", answer.json())
    assert answer.json()["errorMessages"] and answer.json()["errors"] == {}


def test_rate_limit_answers_429_with_retry_after(jira):
    jira.retry_after = 30
    refused = get(jira, "/myself")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "30"
    check("error-collection", refused.json())
    jira.retry_after = None
    assert get(jira, "/myself").status_code == 200
