"""vPDQ in the product: videos banked by their vPDQ hash through the API and CLI, and
videos posted to the platform scanned with vPDQ and matched against those banks, the
way vPDQ defines a match (share of frames matched both ways)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from salingjaga.detection.media.vpdq import to_signal
from tests.conftest import bearer
from tests.detection.test_vpdq import _hash, _videos


def _post_video(client: Any, key: str, pid: str, data: bytes) -> str:
    body = {"platform_id": pid, "kind": "video", "caption": "lihat video ini",
            "account": {"platform_id": f"acc-{pid}", "handle": f"h{pid}"},
            "media": [{"kind": "video", "data_base64": base64.b64encode(data).decode()}]}
    r = client.post("/api/v1/content", headers=bearer(key), json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _vpdq_signals(client: Any, key: str, cid: str) -> list[dict[str, Any]]:
    sigs = client.get(f"/api/v1/content/{cid}/signals", headers=bearer(key)).json()["signals"]
    return [s for s in sigs if s["type"] == "media_hash_match" and s["data"].get("hash_kind") == "vpdq"]


def _bank_original(client: Any, key: str, action: str = "remove") -> None:
    r = client.post("/api/v1/hashbanks/removed-videos/videos", headers=bearer(key),
                    json={"videos": [{"id": "takedown-17", "label": "video hoaks surat suara",
                                      "signal": to_signal(_hash("original"))}],
                          "action": action, "policy": "civic_election_integrity", "source": "takedowns"})
    assert r.status_code == 200, r.text
    assert r.json() == {"bank": "removed-videos", "videos": 1, "added": 1, "replaced": 0}


@pytest.mark.parametrize("copy", ["reencoded", "resized", "trimmed"])
def test_copy_of_a_banked_video_is_found_by_the_scan(client, world, copy) -> None:
    admin, service = world.key("admin"), world.key("service")
    _bank_original(client, admin)
    cid = _post_video(client, service, f"v-{copy}", _videos()[copy])
    [hit] = _vpdq_signals(client, admin, cid)
    assert hit["data"]["video_id"] == "takedown-17" and hit["data"]["bank_action"] == "remove"
    assert hit["data"]["query_percent"] >= 80 and hit["data"]["frames"] >= 6
    assert "removed-videos" in hit["explanation"] and "video hoaks surat suara" in hit["explanation"]
    assert client.get(f"/api/v1/content/{cid}", headers=bearer(service)).json()["status"] == "removed"


def test_unrelated_video_and_removed_bank_video_do_not_match(client, world) -> None:
    admin, service = world.key("admin"), world.key("service")
    _bank_original(client, admin)
    other = _post_video(client, service, "v-unrelated", _videos()["unrelated"])
    assert _vpdq_signals(client, admin, other) == []
    assert client.get(f"/api/v1/content/{other}", headers=bearer(service)).json()["status"] == "active"
    r = client.post("/api/v1/hashbanks/removed-videos/videos/remove", headers=bearer(admin),
                    json={"video_ids": ["takedown-17"]})
    assert r.status_code == 200 and r.json()["video_ids"] == ["takedown-17"]
    cid = _post_video(client, service, "v-after", _videos()["trimmed"])
    assert _vpdq_signals(client, admin, cid) == []


def test_video_bank_api_exports_and_refuses_bad_input(client, world) -> None:
    admin = world.key("admin")
    _bank_original(client, admin, action="review")
    r = client.get("/api/v1/hashbanks/removed-videos/videos", headers=bearer(admin))
    [video] = r.json()["videos"]
    assert video["signal"] == to_signal(_hash("original")) and video["source"] == "takedowns"
    url = "/api/v1/hashbanks/removed-videos/videos"
    for body, code in [({"videos": []}, 422), ({"videos": [{"id": "x", "signal": "not json"}]}, 422),
                       ({"videos": [{"id": "x", "signal": '["zz,100,0.0"]'}]}, 422),
                       ({"videos": [{"id": "x", "signal": f'["{"0" * 64},10,0.0"]'}]}, 422)]:
        assert client.post(url, headers=bearer(admin), json=body).status_code == code, body
    assert client.post(url + "/remove", headers=bearer(admin), json={"video_ids": ["nope"]}).status_code == 404
    assert client.post(url + "/remove", headers=bearer(admin), json={}).status_code == 422
    assert client.get("/api/v1/hashbanks/none/videos", headers=bearer(admin)).status_code == 404
    assert client.post(url + "/remove", headers=bearer(world.key("moderator")),
                       json={"video_ids": ["takedown-17"]}).status_code == 403
    assert len(client.get(url, headers=bearer(admin)).json()["videos"]) == 1
    r = client.post(url + "/remove", headers=bearer(admin), json={"source": "takedowns"})
    assert r.json()["removed"] == 1


def test_cli_imports_and_exports_a_vpdq_bank_file(settings, tmp_path) -> None:
    from salingjaga.cli import app

    bank_file = tmp_path / "bank.jsonl"
    bank_file.write_text(json.dumps({"id": "v1", "label": "hoax", "signal": to_signal(_hash("original"))}) + "\n"
                         + json.dumps({"id": "v2", "label": "", "signal": to_signal(_hash("unrelated"))}) + "\n")
    runner = CliRunner()
    db = ["--database-url", settings.database_url]
    r = runner.invoke(app, ["hashbanks", "import-vpdq", str(bank_file), "--bank", "vids", "--json", *db])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["added"] == 2
    r = runner.invoke(app, ["hashbanks", "export-vpdq", "--bank", "vids", *db])
    assert r.exit_code == 0 and r.output == bank_file.read_text()
    r = runner.invoke(app, ["hashbanks", "remove", "--bank", "vids", "--video", "v2", "--json", *db])
    assert r.exit_code == 0 and json.loads(r.output)["video_ids"] == ["v2"]
    (tmp_path / "bad.jsonl").write_text('{"id": "v3", "signal": "[1]"}\n')
    r = runner.invoke(app, ["hashbanks", "import-vpdq", str(tmp_path / "bad.jsonl"), "--bank", "vids", *db])
    assert r.exit_code != 0 and "line 1" in r.output
