"""The detector registry: every signal type has one detector that declares it, every
signal a scan gives comes from a detector that declared it, routing rules name only known
types, and one detector failing leaves the others' signals in place."""

from __future__ import annotations

import base64
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest

from salingjaga.detection.base import SignalResult
from salingjaga.detection.detectors import DETECTORS, produced_types, producer
from salingjaga.detection.detectors.base import Detector, ItemScan, ScanContext
from salingjaga.detection.detectors.patterns import Patterns
from salingjaga.detection.history import MemoryHistory
from salingjaga.detection.pipeline import default_classifier, scan_batch_reports
from salingjaga.detection.routing import AUTOMATED_ACTIONS, load_config, parse_config
from salingjaga.detection.signals import SignalType
from salingjaga.moderation import actions
from tests.detection.helpers import encode, picture

T0 = datetime(2024, 2, 10, 8, 0, tzinfo=UTC)
COPYPASTA = ("Surat suara di gudang KPU Jawa Timur sudah dicoblos untuk paslon tertentu, "
             "sebarkan sebelum dihapus!")
SCAM = "SELAMAT anda pemenang undian! transfer biaya admin 50rb dulu ya"


def test_every_signal_type_has_exactly_one_detector() -> None:
    declared = [t for d in DETECTORS for t in d.signal_types]
    assert sorted(declared) == sorted(SignalType)  # none twice, none missing
    assert produced_types() == set(SignalType)
    assert producer("media_error").name == "media_hash"
    with pytest.raises(KeyError):
        producer("no_such_signal")
    assert len({d.name for d in DETECTORS}) == len(DETECTORS)


def test_signal_type_values_are_the_stored_strings() -> None:
    # stored in the signal table and named in routing.toml: renaming one loses data
    assert {t.value for t in SignalType} == {
        "classifier", "claim_match", "scam_pattern", "fundraising", "md5_match", "media_hash_match",
        "media_error", "creator_ai_label", "c2pa_ai", "c2pa_ai_unverified", "unlabelled_ai_public_figure",
        "near_duplicate", "coordinated_burst", "on_screen_text", "ocr_unavailable"}
    sig = SignalResult(SignalType.CLAIM_MATCH, "misinformation", 0.9, "x")
    assert type(sig.type) is str and sig.type == "claim_match"
    assert sig.as_dict()["type"] == "claim_match"


@dataclass
class Checked:
    """A registered detector, remembering every signal type it gave."""

    inner: Detector
    seen: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def step(self) -> str:
        return self.inner.step

    @property
    def signal_types(self) -> frozenset[SignalType]:
        return self.inner.signal_types

    def prepare(self, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any] | None:
        return self.inner.prepare(scans, ctx)

    def detect(self, scan: ItemScan, prepared: Any, ctx: ScanContext) -> list[SignalResult]:
        found = self.inner.detect(scan, prepared, ctx)
        self.seen.update(s.type for s in found)
        return found


def test_each_detector_gives_only_the_types_it_declares() -> None:
    checked = [Checked(d) for d in DETECTORS]
    ctx = ScanContext(history=MemoryHistory(), classify=default_classifier())
    png = base64.b64encode(encode(picture(3))).decode()
    items: list[dict[str, Any]] = [
        {"id": "s", "platform_id": "s", "kind": "text", "caption": SCAM},
        {"id": "d", "platform_id": "d", "kind": "text",
         "caption": "Ayo donasi untuk kampanye caleg kita, transfer ke rek BCA 1234567890"},
        {"id": "ai", "platform_id": "ai", "kind": "image", "caption": "pemilu", "ai_label": True,
         "media": [{"kind": "image", "data_base64": png}, {"kind": "image", "data_base64": "not base64!"}]},
    ]
    items += [{"id": f"c{i}", "platform_id": f"c{i}", "kind": "text", "account_id": f"acc{i}",
               "caption": COPYPASTA, "posted_at": T0 + timedelta(minutes=5 * i)} for i in range(5)]
    reports = scan_batch_reports(items, ctx, checked)
    assert all(r.failures == [] for r in reports)
    for c in checked:
        assert c.seen <= c.signal_types, f"{c.name} gave undeclared types {c.seen - c.signal_types}"
    seen = set().union(*(c.seen for c in checked))
    # the items above reach most detectors, so the check above is not vacuous
    assert {"scam_pattern", "fundraising", "creator_ai_label", "media_error", "near_duplicate",
            "coordinated_burst", "classifier"} <= seen


class Broken:
    """A detector whose batch part or item part raises."""

    name = "broken"
    step = "broken"
    signal_types = frozenset({SignalType.CLASSIFIER})

    def __init__(self, where: str) -> None:
        self.where = where

    def prepare(self, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any] | None:
        if self.where == "prepare":
            raise RuntimeError("model file is corrupt")
        return None

    def detect(self, scan: ItemScan, prepared: Any, ctx: ScanContext) -> list[SignalResult]:
        if self.where == "detect":
            raise ValueError(f"cannot read {scan.item['id']}")
        return []


@pytest.mark.parametrize("where", ["prepare", "detect"])
def test_a_failing_detector_costs_its_own_signals_only(where: str) -> None:
    items = [{"id": "a", "platform_id": "a", "kind": "text", "caption": SCAM},
             {"id": "b", "platform_id": "b", "kind": "text", "caption": SCAM}]
    reports = scan_batch_reports(items, ScanContext(), (Broken(where), Patterns()))
    for item, report in zip(items, reports, strict=True):
        assert {s.type for s in report.signals} == {"scam_pattern"}
        [failure] = report.failures
        assert failure.step == "broken"
        assert failure.error == ("RuntimeError: model file is corrupt" if where == "prepare"
                                 else f"ValueError: cannot read {item['id']}")


def test_a_batch_part_giving_the_wrong_count_is_a_failure() -> None:
    reports = scan_batch_reports([{"id": "a", "caption": "x"}, {"id": "b", "caption": "y"}],
                                 ScanContext(classify=lambda texts: [{}]))
    assert [(f.step, f.error) for f in reports[1].failures] == [("classifier", "returned 1 results for 2 items")]


def test_routing_file_names_only_known_signal_types() -> None:
    raw = tomllib.loads(resources.files("salingjaga.detection").joinpath("routing.toml").read_text("utf-8"))
    named = {s for rule in raw["rules"] for s in rule["signals"]}
    assert named and named <= {t.value for t in SignalType}
    assert load_config().rules


def test_an_unknown_signal_type_in_a_rule_is_refused_when_loading(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"rule typo: unknown signal types \['claim_matches'\]"):
        parse_config({"rules": [{"name": "typo", "signals": ["claim_match", "claim_matches"], "queue": True}]})
    bad = tmp_path / "routing.toml"
    bad.write_text('[[rules]]\nname = "typo"\nsignals = ["near_dupe"]\nqueue = true\n', "utf-8")
    with pytest.raises(ValueError, match="near_dupe"):
        load_config(bad)
    # the wildcard stays allowed
    assert parse_config({"rules": [{"name": "any", "signals": ["*"], "queue": True}]}).rules


def test_automated_actions_are_moderations_content_actions() -> None:
    from_moderation = set(actions.CONTENT_ACTIONS) - {actions.NO_VIOLATION}
    assert from_moderation == AUTOMATED_ACTIONS
    assert sorted(AUTOMATED_ACTIONS) == ["age_restrict", "fyp_exclude", "label_ai_generated",
                                         "label_election_notice", "label_unverified", "remove"]
