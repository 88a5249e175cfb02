"""Each error raised with a reason gives the values its words quote: a page fills them in
(``web.reasons.explain``), and one missing would make the page fall back to the English
message without anyone noticing."""

from __future__ import annotations

import ast
import re

from salingjaga import parts
from salingjaga.web.reasons import merged
from tests.web.test_error_coverage import PACKAGE, raise_sites


def _params_at(tree: ast.Module, line: int) -> set[str] | None:
    """The keys of the ``params`` dict the raise on ``line`` gives (None: not a literal)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.lineno == line and isinstance(node.exc, ast.Call):
            given = next((k.value for k in node.exc.keywords if k.arg == "params"), None)
            if given is None:
                return set()
            if isinstance(given, ast.Dict) and all(isinstance(k, ast.Constant) for k in given.keys):
                return {str(k.value) for k in given.keys if isinstance(k, ast.Constant)}
            return None
    return None


def test_every_raise_gives_the_values_its_words_quote() -> None:
    words = merged(module.ERRORS for module in parts.ERROR_WORDS)
    trees: dict[str, ast.Module] = {}
    short = []
    for name, line, reason in raise_sites():
        if reason not in words:
            continue
        tree = trees.setdefault(name, ast.parse((PACKAGE / name).read_text("utf-8")))
        given = _params_at(tree, line)
        needed = set(re.findall(r"%\((\w+)\)", "".join(words[reason])))
        if given is not None and needed - given:
            short.append(f"{name}:{line} {reason} lacks {sorted(needed - given)}")
    assert short == [], "\n".join(short)
