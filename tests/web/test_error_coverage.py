"""Every error a service raises where a person can meet it (an API answer, a page) carries a
stable ``reason`` that its domain's ``error_words.py`` says in both languages, so no page
falls back to the server's English message. Only the operator's command line (English by
design: ``cli.py``, backup and restore, the simulator, the development servers) raises
errors without one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from salingjaga import parts
from salingjaga.core import errors
from salingjaga.web.reasons import merged

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "salingjaga"
# modules only the command line reaches: their messages are the operator's, in English
COMMAND_LINE = ("cli.py", "clikit.py", "backup.py", "migrate.py", "simulate/", "dev/", "migrations/")


def _error_classes() -> set[str]:
    found: set[str] = set()
    todo: list[type] = [errors.APIError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def raise_sites() -> list[tuple[str, int, str | None]]:
    """(module, line, reason or None) of every service error raised outside the command line;
    a reason given as an expression (not a literal) counts as given, as ``"?"``."""
    from salingjaga import wiring  # the error classes of every domain are imported

    wiring.wire()
    classes = _error_classes() - {"ServiceBusy"}  # it has a reason of its own by default
    sites = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name.endswith(COMMAND_LINE) or name.startswith(COMMAND_LINE):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            func = node.exc.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called not in classes:
                continue
            given = next((k.value for k in node.exc.keywords if k.arg == "reason"), None)
            reason = None if given is None else given.value if isinstance(given, ast.Constant) else "?"
            sites.append((name, node.lineno, reason))
    return sites


@pytest.mark.xfail(strict=True, reason="the domains' remaining errors are being given reasons")
def test_every_service_error_has_a_reason() -> None:
    missing = [f"{name}:{line}" for name, line, reason in raise_sites() if reason is None]
    assert missing == [], f"{len(missing)} errors without a reason:\n" + "\n".join(missing)


def test_every_reason_raised_is_worded() -> None:
    known = merged(module.ERRORS for module in parts.ERROR_WORDS)
    unworded = [f"{name}:{line} {reason}" for name, line, reason in raise_sites()
                if reason not in (None, "?") and reason not in known]
    assert unworded == [], "\n".join(unworded)


def test_each_reason_is_worded_by_the_domain_that_raises_it() -> None:
    """A domain's words stay with the domain: a reason raised in one domain's modules is in
    that domain's catalogue, or in one every domain stands on (the shell's form words,
    the accounts' words of ``auth``)."""
    owner = {module.__name__.split(".")[1]: set(module.ERRORS) for module in parts.ERROR_WORDS}
    elsewhere = []
    for name, line, reason in raise_sites():
        domain = name.split("/")[0]
        if reason in (None, "?") or "/" not in name or domain not in owner:
            continue
        if reason not in owner[domain] | owner["web"] | owner["auth"]:
            elsewhere.append(f"{name}:{line} {reason}")
    assert elsewhere == [], "\n".join(elsewhere)
