"""Schemathesis against a live server's /openapi.json (uvicorn on 127.0.0.1, requests over
HTTP as clients send them): generated requests to every operation, a fixed seed
and a bounded number of cases (the whole run stays well under two minutes on two shared
cores). No request may cause a 5xx, and every response must match the schema the API
documents (including the one error shape).

Each operation is called with a key of a role that holds its permission (the partner
reporter for notices, the fact-checker for verdicts, ...), so generated bodies reach the
handlers instead of stopping at a 403."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from salingjaga.auth.roles import PARTNER_ROLES
from tests.conftest import bearer
from tests.hardening.routes import route_table
from tests.hardening.test_hostile_corpus import pick_role
from tests.support.live import live  # noqa: F401  (fixture)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES_PER_OPERATION = 20

def test_no_server_errors_and_responses_match_schema(app, world, live):  # noqa: F811
    base, _ = live
    partner = world.partner()
    table = route_table(app)
    keys: dict[str, str] = {}

    def headers_for(method: str, path: str) -> dict[str, str]:
        permission = table.get(f"{method} {path}", ["public"])[0]
        if permission == "public":
            return {}
        role = pick_role(permission)
        if role not in keys:
            keys[role] = world.key(role, partner if role in PARTNER_ROLES else None)
        return bearer(keys[role])

    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        name = f"{operation.method.upper()} {operation.path}"
        headers = headers_for(operation.method.upper(), operation.path)

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None,
                  suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)  # called at once, inside this iteration
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{name}: {str(exc)[:600]}")
    assert operations > 20
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("path", ["/api/v1/transparency/report", "/api/v1/transparency/charts/actions.svg"])
def test_transparency_periods_at_the_ends_of_the_calendar(client: Any, world: Any, path: str) -> None:
    key = world.key("admin")
    for period in ({"from": "9999-12-31", "to": "9999-12-31"}, {"from": "0001-01-01", "to": "0001-01-01"}):
        r = client.get(path, params=period, headers=bearer(key))
        assert r.status_code == 422, r.text
        assert "must lie between" in r.json()["error"]["message"]
