"""Hostile and heavy bulk notices through HTTP (API and portal): deep JSON, huge CSV cells,
NUL characters and loose yes/no values cost only their own row; long uploads commit in
short transactions and run side by side."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from salingjaga.notices.models import Notice
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body
from tests.support.writes import RowsPerCommit
from tests.web.helpers import csrf_from, make_user, sign_in

CSV_HEADER = "url,policy,explanation,region,good_faith,idempotency_key"


def post_csv(client: Any, key: str, text: str) -> Any:
    return client.post("/api/v1/notices/bulk", content=text.encode(),
                       headers={**bearer(key), "Content-Type": "text/csv"})


def statuses(out: dict[str, Any]) -> list[str]:
    return [r["status"] for r in out["results"]]


@pytest.fixture
def flagger(client: Any, world: Any) -> tuple[str, dict[str, Any]]:
    """A national trusted flagger's key and one content item to report."""
    item = make_content(client, world.key("service"))
    return world.key("partner_reporter", world.partner()), item


def notice_count(db: Any) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Notice)) or 0)


# ------------------------------------------------------------------ depth and size limits


@pytest.mark.parametrize("content_type", ["application/json", None])
def test_json_nested_a_thousand_deep_is_a_422_not_a_500(client, flagger, content_type):
    key, _ = flagger
    headers = {**bearer(key), **({"Content-Type": content_type} if content_type else {})}
    for path in ("/api/v1/notices/bulk", "/api/v1/notices"):
        r = client.post(path, content=b"[" * 1000 + b"]" * 1000, headers=headers)
        assert r.status_code == 422, (path, r.status_code, r.text[:200])
        assert r.json()["error"]["code"] == "too_deep"
        assert "nested more than 64 levels" in r.json()["error"]["message"]
    deep_row = {"notices": [{"content": [{"url": "x"}], "policy": "misinformation", "good_faith": True,
                             "explanation": json.loads("[" * 70 + "]" * 70)}]}
    r = client.post("/api/v1/notices/bulk", content=json.dumps(deep_row).encode(), headers=headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_deep"


def test_brackets_inside_strings_are_text_not_depth(client, flagger, db):
    key, item = flagger
    body = notice_body(item, explanation="[[[[{{{{" * 40 + " klaim keliru")
    r = client.post("/api/v1/notices/bulk", json=[body], headers=bearer(key))
    assert r.status_code == 200, r.text
    assert statuses(r.json()) == ["received"]


def test_a_200k_character_csv_cell_fails_its_row_only(client, flagger, db):
    key, item = flagger
    text = "\n".join([CSV_HEADER,
                      f"{item['url']},misinformation,Klaim keliru,32.73,true,k1",
                      f"{item['url']},misinformation,{'x' * 200_000},32.73,true,k2",
                      f"{item['url']},misinformation,Klaim keliru lagi,32.73,true,k3"])
    r = post_csv(client, key, text)
    assert r.status_code == 200, r.text[:300]
    out = r.json()
    assert statuses(out) == ["received", "error", "received"]
    assert "longer than" in out["results"][1]["error"]["message"]
    assert notice_count(db) == 2


def test_csv_bombs_are_refused_whole_or_per_row(client, flagger, db):
    key, item = flagger
    wide = post_csv(client, key, ",".join(f"c{n}" for n in range(10_000)) + ",policy\n")
    assert wide.status_code == 422 and "columns" in wide.json()["error"]["message"]
    rows = [CSV_HEADER] + [f"{item['url']},misinformation,x,32.73,true,r{n}" for n in range(5001)]
    many = post_csv(client, key, "\n".join(rows))
    assert many.status_code == 413 and many.json()["error"]["code"] == "payload_too_large"
    extra = post_csv(client, key, f"{CSV_HEADER}\n{item['url']},misinformation,x,32.73,true,e1" + ",x" * 500)
    assert extra.status_code == 200 and "cells" in extra.json()["results"][0]["error"]["message"]
    unterminated = post_csv(client, key, f'{CSV_HEADER}\n{item["url"]},misinformation,"never closed')
    assert unterminated.status_code == 200
    assert unterminated.json()["errors"] == 1
    assert notice_count(db) == 0


# --------------------------------------------------------------------- strict yes/no values


def test_good_faith_must_be_json_true_not_yes(client, flagger, db):
    key, item = flagger
    for loose in ("yes", "true", 1, "on"):
        r = client.post("/api/v1/notices", json=notice_body(item, good_faith=loose), headers=bearer(key))
        assert r.status_code == 422, (loose, r.text)
        assert "good_faith" in r.json()["error"]["message"]
    out = client.post("/api/v1/notices/bulk", json=[notice_body(item, good_faith="yes"),
                                                    notice_body(item, good_faith=True)],
                      headers=bearer(key)).json()
    assert statuses(out) == ["error", "received"]
    assert out["results"][0]["error"]["message"].startswith("good_faith")
    assert notice_count(db) == 1


def test_csv_good_faith_takes_the_documented_words_only(client, flagger, db):
    key, item = flagger
    words = ["true", "1", "ya", "YES", "false", "0", "tidak", "no", "y", "maybe", ""]
    lines = [CSV_HEADER] + [f"{item['url']},misinformation,Klaim,32.73,{w},gf{n}" for n, w in enumerate(words)]
    out = post_csv(client, key, "\n".join(lines)).json()
    got = dict(zip(words, out["results"], strict=True))
    assert [w for w in words if got[w]["status"] == "received"] == ["true", "1", "ya", "YES"]
    for word in ("false", "0", "tidak", "no"):  # understood, and a refusal to declare
        assert "must declare" in got[word]["error"]["message"], word
    for word in ("y", "maybe", ""):  # not understood: named as such
        assert "not a yes/no value" in got[word]["error"]["message"], word


def test_partner_flag_trusted_is_strict(client, world):
    admin = world.key("admin")
    r = client.post("/api/v1/partners", headers=bearer(admin), json={
        "name": "Bawaslu X", "kind": "election_supervisor", "trusted": "yes", "policies": ["misinformation"]})
    assert r.status_code == 422 and "trusted" in r.json()["error"]["message"]


# ----------------------------------------------------------------------------- NUL per row


def test_a_nul_in_one_csv_row_fails_that_row_only(client, flagger, db):
    """On PostgreSQL a NUL used to fail the whole upload ("value is out of range")."""
    key, item = flagger
    text = "\n".join([CSV_HEADER, f"{item['url']},misinformation,baik,32.73,true,n1",
                      f"{item['url']},misinformation,bu\x00ruk,32.73,true,n2",
                      f"{item['url']},misinformation,baik juga,32.73,true,n3"])
    out = post_csv(client, key, text).json()
    assert statuses(out) == ["received", "error", "received"]
    assert "explanation" in out["results"][1]["error"]["message"]
    assert "NUL" in out["results"][1]["error"]["message"]
    assert notice_count(db) == 2


def test_a_nul_in_one_json_row_fails_that_row_only(client, flagger, db):
    key, item = flagger
    rows = [notice_body(item, idempotency_key="j1"), notice_body(item, contact="a\u0000b", idempotency_key="j2"),
            {**notice_body(item, idempotency_key="j3"), "content": [{"url": item["url"] + "\u0000"}]}]
    r = client.post("/api/v1/notices/bulk", json=rows, headers=bearer(key))
    assert r.status_code == 200, r.text
    assert statuses(r.json()) == ["received", "error", "error"]
    assert all("NUL" in x["error"]["message"] for x in r.json()["results"][1:])
    # a single notice with a NUL is still refused whole, before any parser
    single = client.post("/api/v1/notices", json=notice_body(item, explanation="x\u0000"), headers=bearer(key))
    assert single.status_code == 422 and "NUL" in single.json()["error"]["message"]
    assert notice_count(db) == 1


def test_a_huge_offset_is_a_422_not_a_500(client, flagger):
    """Found by schemathesis: SQLite cannot bind an integer past 2**63."""
    key, _ = flagger
    r = client.get("/api/v1/notices", params={"offset": 10**30}, headers=bearer(key))
    assert r.status_code == 422 and "offset" in r.json()["error"]["message"]


# ------------------------------------------------------------------------------- the portal


@pytest.fixture
def portal(client: Any, world: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
    """A signed-in regency reporter on the portal, and a content item of its regency."""
    partner = world.partner("Bawaslu Kota Bandung", region="32.73")
    make_user(world, "partner_reporter", "nina@bandung.id", partner, name="Nina")
    item = make_content(client, world.key("service"))
    sign_in(client, "nina@bandung.id")
    yield client, item


def upload(client: Any, name: str, data: bytes, ctype: str) -> Any:
    token = csrf_from(client.get("/portal/bulk").text)
    return client.post("/portal/bulk", data={"csrf_token": token}, files={"file": (name, data, ctype)})


def test_portal_bulk_survives_deep_json_huge_cells_and_nul(portal, db):
    client, item = portal
    deep = upload(client, "notices.json", b"[" * 1000 + b"]" * 1000, "application/json")
    assert deep.status_code == 422 and "nested more than 64 levels" in deep.text
    bad_utf8 = upload(client, "notices.csv", b"url,policy\n\xff\xfe,misinformation\n", "text/csv")
    assert bad_utf8.status_code == 422 and "UTF-8" in bad_utf8.text
    text = "\n".join([CSV_HEADER, f"{item['url']},misinformation,{'x' * 200_000},32.73,true,p1",
                      f"{item['url']},misinformation,a\x00b,32.73,true,p2",
                      f"{item['url']},misinformation,Hoaks TPS,32.73,ya,p3"])
    r = upload(client, "notices.csv", text.encode(), "text/csv")
    assert r.status_code == 200, r.text[:300]
    assert "longer than" in r.text and "NUL" in r.text
    assert notice_count(db) == 1


def test_portal_form_refuses_loose_good_faith_and_nul(portal, db):
    client, item = portal

    def file(**fields: str) -> Any:
        page = client.get("/portal/new")
        form = {"csrf_token": csrf_from(page.text), "content": item["url"], "policy": "misinformation",
                "explanation": "Hoaks TPS", "region": "32.73", "good_faith": "true", **fields}
        return client.post("/portal/notices", data=form, follow_redirects=False)

    assert file(good_faith="on").status_code == 422
    assert file(explanation="ada\x00nul").status_code == 422
    assert notice_count(db) == 0
    assert file().status_code == 303


# ------------------------------------------------------------------------------ jurisdiction


def test_a_notice_outside_the_partners_jurisdiction_gets_normal_priority(client, world):
    service = world.key("service")
    bandung = world.key("partner_reporter", world.partner("Bawaslu Kota Bandung", region="32.73"))
    jabar = world.key("partner_reporter", world.partner("Bawaslu Jawa Barat", region="32"))
    moderator = world.key("moderator")
    home = make_content(client, service, region="32.73")
    surabaya = make_content(client, service, region="35.78")

    def file(key: str, item: dict[str, Any], **extra: Any) -> dict[str, Any]:
        r = client.post("/api/v1/notices", json=notice_body(item, **extra), headers=bearer(key))
        assert r.status_code == 201, r.text
        return dict(r.json())

    inside = file(bandung, home, region="32.73")
    assert (inside["source"], inside["priority_note"]) == ("trusted_flagger", None)
    assert file(jabar, home)["source"] == "trusted_flagger"  # a province covers its cities

    outside = file(bandung, surabaya, region="35.78")  # another province's city
    assert outside["source"] == "partner"
    assert "35.78 is outside the notifier's jurisdiction (32.73)" in outside["priority_note"]
    shown = client.get(f"/api/v1/notices/{outside['id']}", headers=bearer(bandung)).json()
    assert shown["source"] == "partner" and shown["priority_note"] == outside["priority_note"]
    # leaving the region out does not help: the content's own region counts
    assert file(bandung, make_content(client, service, region="35.78"))["source"] == "partner"
    # a region named inside the jurisdiction about content elsewhere is the notifier's call
    assert file(bandung, make_content(client, service, region="35.78"), region="32.73")["source"] == \
        "trusted_flagger"

    in_case = client.get(f"/api/v1/cases/{inside['case_id']}", headers=bearer(moderator)).json()
    out_case = client.get(f"/api/v1/cases/{outside['case_id']}", headers=bearer(moderator)).json()
    assert out_case["priority"] < 30_000 <= 40_000 <= in_case["priority"]  # partner tier, not trusted flagger

    bulk = client.post("/api/v1/notices/bulk", headers=bearer(bandung), json=[
        notice_body(surabaya, region="35.78", idempotency_key="b-out"),
        notice_body(home, region="32.73", idempotency_key="b-in")]).json()
    assert [r["source"] for r in bulk["results"]] == ["partner", "trusted_flagger"]
    assert "jurisdiction" in bulk["results"][0]["priority_note"]


# --------------------------------------------------------------- short transactions, in parallel


def test_a_long_bulk_commits_in_short_transactions(client, world, db, settings):
    """1,000 rows: before, one transaction held SQLite's write lock for the whole upload."""
    key = world.key("partner_reporter", world.partner())
    items = [make_content(client, world.key("service")) for _ in range(5)]
    lines = [CSV_HEADER] + [f"{items[n % 5]['url']},misinformation,baris {n},32.73,true,t{n}" for n in range(1000)]
    with RowsPerCommit("notices") as writes:
        out = post_csv(client, key, "\n".join(lines)).json()
    assert out["received"] == 1000
    assert sum(writes.committed) == 1000
    assert max(writes.committed) <= 200 and len(writes.committed) >= 5
    assert all(r["id"].startswith("ntc_") and r["received_at"] for r in out["results"])  # a receipt per row
    again = post_csv(client, key, "\n".join(lines)).json()  # the same file again: nothing twice
    assert again["existing"] == 1000 and notice_count(db) == 1000


@pytest.mark.slow
def test_three_bulk_uploads_at_once_all_succeed(client, world, db):
    """Before, each upload held the write lock for its whole length and the third timed out
    waiting for it (a 500 after 50 s at 5,000 rows)."""
    items = [make_content(client, world.key("service")) for _ in range(5)]
    keys = [world.key("partner_reporter", world.partner(f"Bawaslu {n}", organisation=f"b{n}")) for n in range(3)]
    single = world.key("partner_reporter", world.partner("Bawaslu RI", organisation="ri"))
    rows = 600
    answers: dict[int, Any] = {}

    def send(n: int) -> None:
        lines = [CSV_HEADER] + [f"{items[r % 5]['url']},misinformation,unggahan {n} baris {r},32.73,true,u{r}"
                                for r in range(rows)]
        answers[n] = post_csv(client, keys[n], "\n".join(lines))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    lone = client.post("/api/v1/notices", json=notice_body(items[0]), headers=bearer(single))
    for t in threads:
        t.join(timeout=600)  # a hang bound, not a speed target
        assert not t.is_alive()
    assert lone.status_code == 201
    assert [answers[n].status_code for n in range(3)] == [200, 200, 200]
    assert [answers[n].json()["received"] for n in range(3)] == [rows] * 3
    assert notice_count(db) == 3 * rows + 1
