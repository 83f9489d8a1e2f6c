import json
from datetime import date, datetime, timezone
from pathlib import Path

import httpx
import pytest
from graphql import (GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType,
                     build_schema, graphql_sync, parse, validate)

from bot.devtools.fakelinear import FakeLinear
from bot.trackers import linear

SCHEMA = build_schema((Path(__file__).parent / "vendor" / "linear" / "schema.graphql").read_text())
DONE = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
SCALARS = {"String": str, "ID": str, "Boolean": bool, "Int": int, "Float": (int, float)}


@pytest.fixture
def fake():
    found = FakeLinear().start()
    yield found
    found.stop()


@pytest.fixture
def world(fake):
    project = fake.add_project("Website redesign", target_date=date(2026, 12, 11))
    milestone = fake.add_milestone(project, "Beta", target_date=date(2026, 12, 4))
    fake.add_issue(project, "Checkout page", milestone=milestone, estimate=3, labels=("client-visible",),
                   completed_at=DONE)
    fake.add_issue(project, "Open task", milestone=milestone)
    fake.add_issue(project, "Dropped", estimate=1)
    fake.cancel(list(fake.issues)[-1], DONE)
    return project, milestone


def post(fake, query, variables, key=None):
    response = httpx.post(fake.api_url, json={"query": query, "variables": variables},
                          headers={"Authorization": key or fake.api_key})
    return response.status_code, response.json(), response.headers


def test_the_clients_queries_are_valid_for_linears_schema():
    assert len(linear.QUERIES) == 4
    for query in linear.QUERIES:
        assert validate(SCHEMA, parse(query)) == [], query


def test_answers_have_the_schemas_fields_and_nesting(fake, world):
    project, milestone = world
    for root, key in (("project", project), ("project", fake.projects[project].slug_id),
                      ("projectMilestone", milestone)):
        for query, variables in ((linear.issues_query(root), {"id": key, "after": None, "filter": None}),
                                 (linear.issues_query(root), {"id": key, "filter": {"completedAt": {"gt": "2026-11-01"}}}),
                                 (linear.changes_query(root), {"id": key, "since": "2026-11-01T00:00:00.000Z"})):
            status, body, _ = post(fake, query, variables)
            assert status == 200 and "errors" not in body
            executed = graphql_sync(SCHEMA, query, root_value=body["data"], variable_values=variables)
            assert executed.errors is None, executed.errors
            assert executed.data == body["data"]
    status, body, _ = post(fake, linear.issues_query("project"), {"id": project})
    issues = body["data"]["project"]["issues"]["nodes"]
    assert [(i["title"], i["state"]["type"], i["estimate"]) for i in issues] == [
        ("Checkout page", "completed", 3), ("Open task", "unstarted", None), ("Dropped", "canceled", 1)]
    assert issues[0]["labels"]["nodes"][0]["name"] == "client-visible"


def test_cursor_pages_follow_end_cursor(fake, world):
    project, _ = world
    query = linear.issues_query("project").replace(f"first: {linear.PAGE}", "first: 2")
    _, first, _ = post(fake, query, {"id": project})
    page = first["data"]["project"]["issues"]
    assert page["pageInfo"]["hasNextPage"] is True and len(page["nodes"]) == 2
    assert page["pageInfo"]["endCursor"] == page["nodes"][-1]["id"]
    _, second, _ = post(fake, query, {"id": project, "after": page["pageInfo"]["endCursor"]})
    rest = second["data"]["project"]["issues"]
    assert [n["title"] for n in rest["nodes"]] == ["Dropped"] and rest["pageInfo"]["hasNextPage"] is False


def test_errors_carry_extensions_and_rate_limit_headers(fake, world):
    status, body, headers = post(fake, linear.issues_query("project"), {"id": "no-such-project"})
    assert status == 200 and body["data"] is None
    [error] = body["errors"]
    assert error["message"] == "Entity not found: Project" and error["path"] == ["project"]
    assert error["extensions"]["code"] == "INPUT_ERROR"
    assert int(headers["X-RateLimit-Requests-Remaining"]) == fake.remaining
    status, body, _ = post(fake, linear.issues_query("project"), {"id": world[0]}, key="lin_api_wrong")
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "AUTHENTICATION_ERROR"
    fake.remaining = 0
    status, body, headers = post(fake, linear.issues_query("project"), {"id": world[0]})
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "RATELIMITED"
    assert headers["X-RateLimit-Requests-Remaining"] == "0" and int(headers["X-RateLimit-Requests-Reset"]) > 0


def conforms(kind, value, path="data"):
    if isinstance(kind, GraphQLNonNull):
        assert value is not None, f"{path} is null"
        return conforms(kind.of_type, value, path)
    if value is None:
        return
    if isinstance(kind, GraphQLList):
        assert isinstance(value, list), path
        for n, item in enumerate(value):
            conforms(kind.of_type, item, f"{path}[{n}]")
    elif isinstance(kind, GraphQLObjectType):
        assert isinstance(value, dict), path
        assert set(value) <= set(kind.fields), f"{path}: {sorted(set(value) - set(kind.fields))} not in {kind.name}"
        for name, field in kind.fields.items():
            conforms(field.type, value.get(name), f"{path}.{name}")
    elif isinstance(kind, GraphQLEnumType):
        assert value in kind.values, path
    elif isinstance(kind, GraphQLScalarType) and kind.name in SCALARS:
        assert isinstance(value, SCALARS[kind.name]) and not (kind.name != "Boolean" and isinstance(value, bool)), path


def test_webhook_payloads_have_the_schemas_fields(fake, world):
    project, _ = world
    issue = fake.issues[list(fake.issues)[0]]
    for kind, data in (("Issue", fake.issue_data(issue)), ("Project", fake.project_data(fake.projects[project]))):
        payload = fake.webhook(kind, data, at=DONE, updated_from={"updatedAt": "2026-11-19T00:00:00.000Z"})
        conforms(SCHEMA.type_map["EntityWebhookPayload"], payload, "payload")
        conforms(SCHEMA.type_map[f"{kind}WebhookPayload"], payload["data"], kind)
        assert payload["type"] == kind and payload["webhookTimestamp"] == int(DONE.timestamp() * 1000)
        assert json.loads(json.dumps(payload)) == payload
