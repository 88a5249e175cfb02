"""The permission matrix: every endpoint against every role, with the answer written down
in ``permission_matrix.toml``. A new endpoint without an entry fails here.

Regenerate the file after a deliberate change with
``python -m tests.hardening.test_permission_matrix --write`` and review the diff."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from salingjaga.auth.permissions import roles_for
from salingjaga.auth.roles import PARTNER_ROLES, ROLES
from tests.conftest import bearer
from tests.hardening.routes import route_table

MATRIX = Path(__file__).with_name("permission_matrix.toml")


def load_matrix() -> dict[str, dict[str, object]]:
    return tomllib.loads(MATRIX.read_text("utf-8"))


def test_every_route_declares_exactly_one_permission(app):
    missing = {r: p for r, p in route_table(app).items() if len(p) != 1}
    assert missing == {}, "routes without exactly one require()/public: " + repr(missing)


def test_matrix_lists_every_route_and_nothing_else(app):
    routes = set(route_table(app))
    written = set(load_matrix())
    assert sorted(routes - written) == [], "add these endpoints to permission_matrix.toml"
    assert sorted(written - routes) == [], "these endpoints no longer exist"


def test_written_roles_match_the_code(app):
    table = route_table(app)
    matrix = load_matrix()
    for route, perms in table.items():
        entry = matrix[route]
        assert entry["permission"] == perms[0], route
        expected = sorted(ROLES) if perms[0] == "public" else sorted(roles_for(perms[0]))
        assert sorted(entry["roles"]) == expected, route  # type: ignore[arg-type]


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


@pytest.fixture
def keys(world):
    partner = world.partner("Bawaslu RI")
    return {role: world.key(role, partner if role in PARTNER_ROLES else None) for role in ROLES}


def test_every_api_endpoint_answers_each_role_as_written(app, client, keys):
    """Allowed roles get past the permission check; others get 403; nobody gets a 5xx."""
    matrix = load_matrix()
    failures = []
    for route, entry in matrix.items():
        method, path = route.split(" ", 1)
        if not path.startswith("/api/") or entry["permission"] == "public":
            continue
        url = _fill(path)
        r = client.request(method, url)
        if r.status_code != 401:
            failures.append(f"{route} without a key: {r.status_code}")
        for role, key in keys.items():
            kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            r = client.request(method, url, headers=bearer(key), **kwargs)
            allowed = role in entry["roles"]  # type: ignore[operator]
            if r.status_code >= 500:
                failures.append(f"{route} as {role}: {r.status_code}")
            elif allowed and r.status_code in (401, 403):
                failures.append(f"{route} as {role}: refused ({r.status_code}) but allowed")
            elif not allowed and r.status_code != 403:
                failures.append(f"{route} as {role}: {r.status_code}, expected 403")
    assert failures == []


def write_matrix() -> None:
    """Regenerate the file from the code (for review, never blindly)."""
    from salingjaga.app import create_app
    from salingjaga.core.settings import Settings

    app = create_app(Settings(database_url="sqlite://", stream="inline"), start_workers=False)
    lines = ["# Who may call what: every endpoint, its permission and the roles that hold it.",
             "# Regenerate with `python -m tests.hardening.test_permission_matrix --write`.", ""]
    for route, perms in sorted(route_table(app).items(), key=lambda kv: (kv[0].split(" ")[1], kv[0])):
        perm = perms[0] if perms else "MISSING"
        roles = sorted(ROLES) if perm == "public" else sorted(roles_for(perm)) if perms else []
        lines.append(f'["{route}"]')
        lines.append(f'permission = "{perm}"')
        lines.append("roles = [" + ", ".join(f'"{r}"' for r in roles) + "]")
        lines.append("")
    MATRIX.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__" and "--write" in sys.argv:
    write_matrix()
