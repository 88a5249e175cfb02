"""Every way of running the stream registers the same handlers: the server (create_app),
every command (open_db: ``salingjaga worker``, ``demo load``) and the tests. Checked in
fresh processes, since this test process is wired already."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from salingjaga.stream.handlers import HANDLERS, names
from salingjaga.stream.metrics import APP_COLLECTORS

SRC = str(Path(__file__).resolve().parents[1] / "src")
EXPECTED = {
    "content": ["salingjaga.detection.pipeline:handle_content", "salingjaga.rules.service:handle_content",
                "salingjaga.guide.tags:handle_content"],
    "factcheck": ["salingjaga.detection.pipeline:handle_factcheck"],
    "probe": ["salingjaga.stream.probe:handle_probe"],
}
BUILD = {
    "nothing": "",
    "server": "from salingjaga.app import create_app; create_app(settings, start_workers=False)",
    "command": "from salingjaga.cli import open_db; open_db(settings)",
}


def _env() -> dict[str, str]:
    # this process's environment without its SALINGJAGA_* settings (the script sets its own)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALINGJAGA_")}
    return {**env, "PYTHONPATH": SRC}


def _registered(tmp_path: Path, build: str) -> dict[str, list[str]]:
    script = (
        "import json\n"
        "from salingjaga.core.settings import Settings\n"
        f"settings = Settings(database_url='sqlite:///{tmp_path}/w.db', data_dir={str(tmp_path)!r})\n"
        f"{build}\n"
        "from salingjaga.stream.handlers import HANDLERS\n"
        "print(json.dumps({t: [r.name for r in rs] for t, rs in HANDLERS.items()}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env=_env(), check=True)
    result: dict[str, list[str]] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("entry", ["server", "command"])
def test_server_and_commands_register_every_handler(tmp_path: Path, entry: str) -> None:
    assert _registered(tmp_path, BUILD[entry]) == EXPECTED


def test_the_stream_alone_registers_nothing(tmp_path: Path) -> None:
    # the stream knows no domain: without the wiring it has no handler at all
    assert _registered(tmp_path, BUILD["nothing"]) == {}


def test_the_tests_run_the_same_handlers_in_the_same_order() -> None:
    assert {t: list(names(t)) for t in HANDLERS} == EXPECTED
    assert {"moderation_queue", "notice_intake"} <= set(APP_COLLECTORS)


@pytest.mark.parametrize("kind", ["models", "api", "web", "middleware", "demo", "background", "cli", "home",
                                  "error_words"])
def test_every_domain_part_is_listed(kind: str) -> None:
    """A domain's ``<kind>.py`` is part of the app only when listed (``parts.py``, and
    ``cli.DOMAIN_CLIS`` for commands): a new one that is not listed would silently do
    nothing, so this names it. The lists keep the domains' order."""
    from salingjaga import cli, parts
    from salingjaga.domains import DOMAINS

    listed = {"models": parts.MODELS, "api": parts.API, "web": parts.WEB, "middleware": parts.MIDDLEWARE,
              "demo": parts.DEMO, "background": parts.BACKGROUND, "cli": cli.DOMAIN_CLIS,
              "home": parts.HOME, "error_words": parts.ERROR_WORDS}[kind]
    package = Path(SRC) / "salingjaga"
    present = [f"salingjaga.{d}.{kind}" for d in DOMAINS if (package / d / f"{kind}.py").exists()]
    assert [m.__name__ for m in listed] == present
