"""The "first notice in five calls" guides in README.md and docs/api.md, run as written
(curl, jq and the ``salingjaga`` command) against a live server, and the typed client
against the same kind of server and the OpenAPI document."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from salingjaga.client import OPERATIONS, ApiError, Client
from tests.conftest import skip_or_fail
from tests.support.live import live  # noqa: F401  (fixture)
from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[1]
GUIDE = re.compile(r"<!-- five-calls -->(.*?)<!-- /five-calls -->", re.S)
SH_BLOCK = re.compile(r"```sh\n(.*?)```", re.S)


@pytest.mark.parametrize("doc", ["README.md", "docs/api.md"])
def test_the_five_call_guide_runs_as_written(doc: str, live: tuple[str, dict[str, str]],  # noqa: F811
                                              tmp_path: Path) -> None:
    for tool in ("curl", "jq"):
        if shutil.which(tool) is None:
            skip_or_fail(f"{tool} is not installed (apt-get install {tool})")
    base, env = live
    guide = GUIDE.search((ROOT / doc).read_text(encoding="utf-8"))
    assert guide, f"{doc} has no five-calls guide"
    script = "\n".join(SH_BLOCK.findall(guide.group(1)))
    assert script.count("curl ") == 5
    script = script.replace("http://127.0.0.1:8000", base)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    command = bin_dir / "salingjaga"  # the command as installed, from this checkout
    command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -c "from salingjaga.cli import main; main()" "$@"\n')
    command.chmod(0o755)
    run = subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], capture_output=True, text=True,
                         timeout=300, env={**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"})
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert '"status": "decided"' in run.stdout and '"action": "remove"' in run.stdout, run.stdout


def test_client_operations_match_the_openapi_document(app: Any) -> None:
    from pydantic import BaseModel

    paths = app.openapi()["paths"]
    for name, (method, path, model) in OPERATIONS.items():
        operation = paths[path][method.lower()]
        ok = next(s for s in operation["responses"] if s.startswith("2"))
        schema = str(operation["responses"][ok]["content"]["application/json"]["schema"])
        inner = model.__args__[0] if hasattr(model, "__args__") else model
        assert isinstance(inner, type) and issubclass(inner, BaseModel), name
        assert f"/{inner.__name__}'" in schema, (name, schema)


def test_client_files_a_notice_and_follows_it_to_the_decision(live: tuple[str, dict[str, str]],  # noqa: F811
                                                               world: Any) -> None:
    base, _ = live
    partner = world.partner(policies=["civic_election_integrity"])
    with Client(base, world.key("service")) as platform, \
            Client(base, world.key("partner_reporter", partner)) as bawaslu, \
            Client(base, world.key("moderator")) as moderator:
        item = platform.post_content({"platform_id": "c-1", "kind": "text", "caption": "Pencoblosan diundur",
                                      "account": {"platform_id": "a-1", "handle": "akun"}})
        again = platform.post_content({"platform_id": "c-1", "kind": "text", "caption": "Pencoblosan diundur",
                                       "account": {"platform_id": "a-1", "handle": "akun"}})
        assert again.id == item.id
        notice = {"content": [{"content_id": item.id}], "policy": "civic_election_integrity",
                  "explanation": "gives a false voting day", "good_faith": True}
        receipt = bawaslu.post_notice(notice, idempotency_key="k-1")
        assert bawaslu.post_notice(notice, idempotency_key="k-1").id == receipt.id  # a safe retry
        case = moderator.claim()
        assert case is not None and case.case_url == f"/api/v1/cases/{case.id}"
        decision = moderator.decide(case.id, {"action": "remove", "policy": "civic_election_integrity",
                                              "facts": "a false voting day"})
        assert decision.statement_id is not None
        assert moderator.get_statement(decision.statement_id).decision_facts == "a false voting day"
        outcome = bawaslu.get_notice(receipt.id)
        assert outcome.status == "decided" and outcome.decision is not None
        assert outcome.decision.action == "remove"
        with pytest.raises(ApiError) as refused:
            bawaslu.claim()
        assert refused.value.status == 403 and refused.value.code


def test_client_gives_up_on_an_unreachable_server_after_its_retries() -> None:
    with Client(f"http://127.0.0.1:{free_port()}", "k", retries=2, backoff=0.01) as api:
        started = time.monotonic()
        with pytest.raises(ApiError) as failed:
            api.get_notice("ntc_x")
        assert failed.value.code == "unreachable" and time.monotonic() - started < 10
        assert not api.healthy()


def test_prepared_requests_are_the_documented_operations(client: Any, world: Any) -> None:
    """What the benchmarks' load generator sends: the client's request, its own transport."""
    from salingjaga.client import parse, prepare

    service = world.key("service")
    method, path, headers, body = prepare("post_content", api_key=service, idempotency_key="c-9",
                                          body={"platform_id": "c-9", "kind": "text", "caption": "x",
                                                "account": {"platform_id": "a-9", "handle": "a9"}})
    item = parse("post_content", client.request(method, path, headers=headers, json=body).content)
    reporter = world.key("partner_reporter", world.partner())
    method, path, headers, body = prepare("post_notice", api_key=reporter, idempotency_key="n-9", body={
        "content": [{"content_id": item.id}], "policy": "misinformation", "explanation": "a false claim",
        "good_faith": True})
    answer = client.request(method, path, headers=headers, json=body)
    assert answer.status_code == 201 and headers["Idempotency-Key"] == "n-9"
    assert parse("post_notice", answer.content).status == "received"
