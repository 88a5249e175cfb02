"""The OpenAPI document is complete: valid OpenAPI 3.1, every ``$ref`` resolves, every
operation's answer and request body is a named schema, each operation says which key (role)
it needs, and the main operations carry examples that are themselves valid."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

JSON = "application/json"


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from salingjaga.app import create_app
    from salingjaga.core.settings import Settings

    path = tmp_path_factory.mktemp("openapi")
    app = create_app(Settings(database_url=f"sqlite:///{path / 'x.db'}", data_dir=path), start_workers=False)
    return app.openapi()


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [node["$ref"]] if isinstance(node.get("$ref"), str) else [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{method.upper()} {path}", op) for path, item in document["paths"].items()
            for method, op in item.items()]


def test_the_document_is_valid_openapi_31(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_ref_resolves(document: dict[str, Any]) -> None:
    refs = set(_refs(document))
    assert refs
    for ref in sorted(refs):
        assert _resolve(document, ref) is not None, ref
    assert {"ContentIn", "AccountIn", "NoticeIn"} <= set(document["components"]["schemas"])


def _typed(schema: dict[str, Any]) -> bool:
    """A named object, a list of them, or a plain typed value; never an open object."""
    if "$ref" in schema:
        return True
    if schema.get("type") == "array":
        return _typed(schema.get("items", {}))
    if "anyOf" in schema or "oneOf" in schema:
        return all(_typed(s) for s in schema.get("anyOf", schema.get("oneOf", [])))
    return schema.get("type") in ("string", "integer", "number", "boolean", "null")


def test_every_answer_is_a_named_schema(document: dict[str, Any]) -> None:
    untyped = []
    for name, op in _operations(document):
        for status, response in op["responses"].items():
            content = response.get("content", {})
            if status.startswith("2") and JSON in content and not _typed(content[JSON].get("schema", {})):
                untyped.append(f"{name} {status}")
    assert untyped == []


def test_every_request_body_is_described(document: dict[str, Any]) -> None:
    for name, op in _operations(document):
        body = op.get("requestBody")
        if body is None:
            continue
        for media, content in body["content"].items():
            assert content.get("schema"), f"{name} {media}"


def test_each_operation_says_which_key_it_needs(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    for name, op in _operations(document):
        assert "security" in op, name
        if op["security"]:
            assert op["x-permission"] and op["x-roles"], name
            assert "401" in op["responses"] and "403" in op["responses"], name
        else:
            assert op["x-permission"] == "public", name


def test_decision_actions_policies_and_statuses_are_enums(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    action = schemas["DecisionIn"]["properties"]["action"]
    assert "remove" in action["enum"] and "uphold" in action["enum"]
    assert "enum" in str(schemas["NoticeIn"]["properties"]["policy"])
    assert "enum" in str(schemas["NoticeReceipt"]["properties"]["status"])


def test_the_main_operations_have_examples(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for path, method in [("/api/v1/notices", "post"), ("/api/v1/content", "post"),
                         ("/api/v1/cases/{case_id}/decisions", "post")]:
        body = paths[path][method]["requestBody"]["content"][JSON]
        schema = body["schema"]
        named = [_resolve(document, ref) for ref in _refs(schema)]
        assert body.get("examples") or any(s.get("examples") for s in [schema, *named]), path
