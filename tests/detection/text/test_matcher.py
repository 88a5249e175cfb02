import numpy as np
import pytest

from salingjaga.detection.text import index as index_module
from salingjaga.detection.text.matcher import ClaimMatcher, FactCheckEntry, MatcherCache, get_matcher

FACTCHECKS = [
    FactCheckEntry("fc-wa", "Pencoblosan bisa diwakilkan dengan mengirim foto KTP lewat WhatsApp", "false"),
    FactCheckEntry("fc-gudang", "Surat suara sudah dicoblos duluan di gudang KPU", "false"),
    FactCheckEntry("fc-tsunami", "Ombak mirip tsunami menyapu tempat wisata di pantai selatan", "false"),
    FactCheckEntry("fc-bansos", "Link pendaftaran bansos untuk korban judi online", "false"),
    FactCheckEntry("fc-pemilu", "Pemilu 2024 ditunda sampai tahun 2027 karena anggaran habis", "false"),
    FactCheckEntry("fc-bank", "Gebyar undian berhadiah dari Bank Lampung lewat nomor WhatsApp", "false"),
]


def test_informal_post_matches_its_fact_check_with_explanation():
    matcher = ClaimMatcher(FACTCHECKS, semantic="never")
    post = "BREAKING!!! nyoblos bisa diwakilin lwt WA, cukup kirim foto KTP aja 🙏 #pemilu2024"
    hits = matcher.match([post, "resep rendang empuk"], k=3)
    assert hits[0][0].factcheck_id == "fc-wa"
    assert hits[0][0].score > hits[0][1].score
    assert 0.0 <= hits[0][0].score <= 1.0
    assert "fc-wa" in hits[0][0].explanation and "Pencoblosan" in hits[0][0].explanation
    # an unrelated text scores far below a real match
    assert hits[1][0].score < hits[0][0].score / 2


def test_english_post_matches_indonesian_fact_check_across_languages():
    matcher = ClaimMatcher(FACTCHECKS, semantic="auto")
    hits = matcher.match(["The 2024 election has been postponed until 2027 because the budget ran out"], k=3)
    assert hits[0][0].factcheck_id == "fc-pemilu"


def test_candidate_path_used_at_scale_finds_the_same_match(monkeypatch):
    # Above EXACT_LIMIT the index switches to candidate generation + exact re-scoring.
    monkeypatch.setattr(index_module, "EXACT_LIMIT", 3)
    monkeypatch.setattr(index_module, "POSTING_BUDGET", 4)
    matcher = ClaimMatcher(FACTCHECKS, semantic="never")
    hits = matcher.match(["ternyata surat suara sdh dicoblos duluan di gudang kpu!!"], k=2)
    assert hits[0][0].factcheck_id == "fc-gudang"


def test_incremental_add_is_searchable_and_scores_against_one():
    matcher = ClaimMatcher(FACTCHECKS[:2], semantic="never")
    matcher.add([FACTCHECKS[3]])
    assert matcher.match(["daftar bansos korban judol judi online di link ini"])[0][0].factcheck_id == "fc-bansos"
    scores = matcher.score_against(["link daftar bansos korban judi online", "cuaca cerah"], "fc-bansos")
    assert scores[0] > 0.3 > scores[1]


def test_embeddings_can_be_supplied_for_the_semantic_view():
    rng = np.random.default_rng(0)
    emb = rng.standard_normal((2, 512)).astype(np.float32)
    matcher = ClaimMatcher(FACTCHECKS[:2], semantic="never", embeddings=emb)
    assert matcher.index.embeddings().shape == (2, 512)


def test_get_matcher_follows_the_table(db):
    from salingjaga.factcheck.service import FactCheckData, upsert_factcheck

    cache = MatcherCache(semantic="never")
    with db.session() as s:
        upsert_factcheck(s, FactCheckData(claim="Surat suara sudah dicoblos di gudang KPU", rating="Salah"))
    first = get_matcher(db, cache)
    assert len(first) == 1
    assert get_matcher(db, cache) is first  # unchanged table: no rebuild
    with db.session() as s:
        upsert_factcheck(s, FactCheckData(claim="Link bansos korban judi online", rating="Hoaks"))
    second = get_matcher(db, cache)
    assert len(second) == 2
    assert second.match(["daftar bansos korban judi online"])[0][0].verdict == "false"


@pytest.mark.parametrize("mode", ["sometimes"])
def test_unknown_semantic_mode_is_refused(mode):
    with pytest.raises(ValueError):
        ClaimMatcher(FACTCHECKS, semantic=mode)
