"""Each table has one owning domain, which alone writes it (DESIGN.md: "domains talk through
services, not through each other's tables"); others learn of changes through events the
owner announces (``moderation.events`` for cases).

The owner of a table is the domain whose ``models.py`` defines it. The writes are read from
the source with ``ast``, in every module of a domain's package:
- constructing a model (``X(...)``: an instance made to be added), ``session.add(X(...))``;
- ``insert(X)``, ``update(X)``, ``delete(X)`` of a model or its table (``X.__table__``, or a
  module-level name bound to it, such as ``_NOTICES = cast(Table, Notice.__table__)``);
- ``insert_rows(session, T, ...)`` (``salingjaga.core.bulk``), and ``attach_written`` does not
  count (it attaches rows already written);
- SQL text: ``INSERT INTO t``, ``UPDATE t``, ``DELETE FROM t`` in string constants.
- assigning an attribute of an instance (``case.status = ...``) whose model the function
  knows: a parameter or local annotated with the model (``case: Case``, ``Case | None``),
  or a name bound by ``session.get(X, ...)``, ``X(...)``, or a ``for`` over
  ``session.scalars(select(X)...)``. Instances reached otherwise (a helper's return value,
  an unannotated loop) are not seen.

A write into another domain's table either moves to the owner (a service function, or a
handler of the owner's events) or is listed in ``KNOWN`` with the reason; the list can only
shrink: an entry that no longer matches a write fails too, so it is removed when fixed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from salingjaga.domains import DOMAINS

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "salingjaga"

# (writing domain, table) -> why it is still written there. Remove an entry when fixed.
KNOWN: dict[tuple[str, str], str] = {}


@cache
def owners() -> tuple[dict[str, str], dict[str, str]]:
    """(table -> owning domain, model class name -> table), from every domain's models.py."""
    table_owner: dict[str, str] = {}
    class_table: dict[str, str] = {}
    for domain in DOMAINS:
        path = PACKAGE / domain / "models.py"
        if not path.exists():
            continue
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if (isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__tablename__"
                                                             for t in stmt.targets)
                            and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)):
                        table = stmt.value.value
                        assert table not in table_owner, f"{table} is defined by {table_owner[table]} and {domain}"
                        table_owner[table] = domain
                        class_table[node.name] = table
    return table_owner, class_table


_SQL_WRITE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?([a-z_][a-z0-9_]*)", re.IGNORECASE)


def _table_of(node: ast.expr, aliases: dict[str, str], class_table: dict[str, str]) -> str | None:
    """The table an expression names: a model class, ``X.__table__``, ``cast(Table, ...)``
    of one of those, or a module-level alias of one."""
    if isinstance(node, ast.Name):
        return class_table.get(node.id) or aliases.get(node.id)
    if isinstance(node, ast.Attribute) and node.attr == "__table__" and isinstance(node.value, ast.Name):
        return class_table.get(node.value.id)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "cast"
            and len(node.args) == 2):
        return _table_of(node.args[1], aliases, class_table)
    return None


def _model_of(annotation: ast.expr | None, class_table: dict[str, str]) -> str | None:
    """The model class an annotation names (``X``, ``X | None``, ``"X"``), if one."""
    if isinstance(annotation, ast.Name) and annotation.id in class_table:
        return annotation.id
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _model_of(annotation.left, class_table) or _model_of(annotation.right, class_table)
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str) and annotation.value in class_table:
        return annotation.value
    return None


def _bound_model(value: ast.expr, class_table: dict[str, str]) -> str | None:
    """The model of the instance(s) an expression yields: ``X(...)``, ``s.get(X, ...)``,
    ``s.scalar(select(X)...)`` or ``s.scalars(select(X)...)``."""
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    if isinstance(func, ast.Name) and func.id in class_table:
        return func.id
    if isinstance(func, ast.Attribute) and func.attr == "get" and value.args:
        return _model_of(value.args[0], class_table)
    if isinstance(func, ast.Attribute) and func.attr in ("scalar", "scalars") and value.args:
        inner = value.args[0]
        while isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
            inner = inner.func.value  # select(X).where(...).order_by(...)
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "select" \
                and inner.args:
            return _model_of(inner.args[0], class_table)
    return None


def _attribute_writes(function: ast.FunctionDef | ast.AsyncFunctionDef,
                      class_table: dict[str, str]) -> Iterator[tuple[str, int, str]]:
    known: dict[str, str] = {}
    args = function.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        if (model := _model_of(arg.annotation, class_table)) is not None:
            known[arg.arg] = model
    for node in ast.walk(function):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if (model := _model_of(node.annotation, class_table)) is not None:
                known[node.target.id] = model
        elif isinstance(node, ast.Assign) and (model := _bound_model(node.value, class_table)) is not None:
            known.update({t.id: model for t in node.targets if isinstance(t, ast.Name)})
        elif (isinstance(node, ast.For) and isinstance(node.target, ast.Name)
              and (model := _bound_model(node.iter, class_table)) is not None):
            known[node.target.id] = model
    for node in ast.walk(function):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                    and target.value.id in known:
                model = known[target.value.id]
                yield class_table[model], node.lineno, f"{target.value.id}.{target.attr} = ... ({model})"


def writes_in(source: str, class_table: dict[str, str]) -> Iterator[tuple[str, int, str]]:
    """(table, line, how) for every write the module's source makes."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            table = _table_of(node.value, aliases, class_table)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if table is not None and isinstance(target, ast.Name):
                    aliases[target.id] = table
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _attribute_writes(node, class_table)
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if isinstance(func, ast.Name) and func.id in class_table:
                yield class_table[func.id], node.lineno, f"{func.id}(...)"
            elif name in ("insert", "update", "delete") and node.args:
                table = _table_of(node.args[0], aliases, class_table)
                if table is not None:
                    yield table, node.lineno, f"{name}(...)"
            elif name == "insert_rows" and len(node.args) >= 2:
                table = _table_of(node.args[1], aliases, class_table)
                if table is not None:
                    yield table, node.lineno, "insert_rows(...)"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for match in _SQL_WRITE.finditer(node.value):
                if match.group(1).lower() in owners()[0]:
                    yield match.group(1).lower(), node.lineno, "SQL " + match.group(0).split()[0].upper()


def foreign_writes() -> dict[tuple[str, str], list[str]]:
    """(writing domain, table) -> where, for every write into another domain's table."""
    table_owner, class_table = owners()
    found: dict[tuple[str, str], list[str]] = {}
    for domain in DOMAINS:
        for path in sorted((PACKAGE / domain).rglob("*.py")):
            for table, line, how in writes_in(path.read_text("utf-8"), class_table):
                owner = table_owner.get(table)
                if owner is not None and owner != domain:
                    found.setdefault((domain, table), []).append(
                        f"{path.relative_to(PACKAGE)}:{line} {how}")
    return found


def test_every_table_has_one_owner():
    table_owner, _ = owners()
    assert {"notices", "notice_cases", "notice_evidence"} <= set(table_owner)
    assert {table_owner[t] for t in ("notices", "notice_cases", "notice_evidence")} == {"notices"}
    assert table_owner["cases"] == "moderation"


def test_the_scan_sees_each_kind_of_write():
    """The checks below are only as good as this scan: each form it claims to see, seen."""
    _, class_table = owners()
    source = '''
from sqlalchemy import Table, delete, insert, text, update
from typing import cast
_NOTICES = cast(Table, Notice.__table__)
def f(session):
    session.add(NoticeCase(notice_id="n", case_id="c", content_id="i"))
    session.execute(update(_NOTICES).values(status="x"))
    session.execute(delete(NoticeEvidence))
    session.execute(insert(Case.__table__))
    insert_rows(session, _NOTICES, [])
    session.execute(text("UPDATE notices SET status = 'in_review'"))
    session.execute(text("insert into decisions (id) values (1)"))
    attach_written(session, Notice, {})
    select(Notice)
def g(session, case: Case | None, item: "ContentItem", note: str):
    case.status = "decided"
    item.views += 1
    note.upper = 1
    decision = session.get(Decision, "d")
    decision.action = "x"
    for appeal in session.scalars(select(Appeal).where(Appeal.id == "a").order_by(Appeal.id)):
        appeal.status = "upheld"
'''
    seen = sorted((table, how) for table, _, how in writes_in(source, class_table))
    assert seen == sorted([
        ("notice_cases", "NoticeCase(...)"), ("notices", "update(...)"), ("notice_evidence", "delete(...)"),
        ("cases", "insert(...)"), ("notices", "insert_rows(...)"), ("notices", "SQL UPDATE"),
        ("decisions", "SQL INSERT"), ("cases", "case.status = ... (Case)"),
        ("content_items", "item.views = ... (ContentItem)"), ("decisions", "decision.action = ... (Decision)"),
        ("appeals", "appeal.status = ... (Appeal)"),
    ])


def test_no_domain_writes_another_domains_tables():
    found = foreign_writes()
    unexpected = {key: where for key, where in found.items() if key not in KNOWN}
    assert unexpected == {}, "write through the owning domain's service or events instead"


def test_known_exceptions_are_still_needed():
    found = foreign_writes()
    fixed = [key for key in KNOWN if key not in found]
    assert fixed == [], "these no longer happen: remove them from KNOWN"
