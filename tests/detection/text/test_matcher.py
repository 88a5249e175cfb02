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


def _index(texts, monkeypatch, limit):
    monkeypatch.setattr(index_module, "EXACT_LIMIT", limit)
    idx = index_module.ClaimIndex(semantic="never")
    idx.add(texts)
    return idx


def test_candidate_path_scores_equal_exact_scores(monkeypatch):
    # With a budget that reads every posting list, the candidate path must reproduce the
    # exact path's ranking and scores (it only avoids scoring everything).
    texts = [f.claim for f in FACTCHECKS]
    posts = ["ternyata surat suara sdh dicoblos duluan di gudang kpu!!",
             "klik link daftar bansos judi online", "ombak tsunami di pantai", "zzz"]
    exact = _index(texts, monkeypatch, 1000).search(posts, k=4)
    monkeypatch.setattr(index_module, "POSTING_BUDGET", 10**9)
    monkeypatch.setattr(index_module, "CANDIDATES", 100)
    fast = _index(texts, monkeypatch, 0).search(posts, k=4)
    for a, b in zip(exact, fast, strict=True):
        got = [(h.position, round(h.score, 5)) for h in b if h.score > 0]
        assert got == [(h.position, round(h.score, 5)) for h in a if h.score > 0]
        assert got or posts[exact.index(a)] == "zzz"


def test_single_text_vectors_match_the_batch_query_rows():
    idx = index_module.ClaimIndex(semantic="never")
    idx.add([f.claim for f in FACTCHECKS])
    texts = ["surat suara dicoblos di gudang kpu kpu", "", "qqqxx"]
    rows = idx.char.queries(texts)
    for i, vec in enumerate(idx.char.vectors(texts)):
        row = rows[i]
        assert np.array_equal(np.sort(row.indices), vec.terms)
        assert np.allclose(row.toarray().ravel()[vec.terms], vec.weights)
    assert idx.char.vectors(["qqqxx"])[0].terms.size == 0


def test_top_orders_like_a_stable_sort():
    rng = np.random.default_rng(3)
    for _ in range(50):
        scores = rng.integers(0, 6, size=int(rng.integers(1, 200))).astype(np.float32)
        k = int(rng.integers(1, 8))
        assert list(index_module._top(scores, k)) == list(np.argsort(-scores, kind="stable")[:k])


def test_matching_learns_nothing_so_every_worker_scores_alike():
    """Matching is a pure function of the fact-checks: the same post scores the same
    however many posts this process has seen (workers must agree)."""
    matcher = ClaimMatcher(FACTCHECKS, semantic="never")
    post = "undian berhadiah bank lampung lewat whatsapp"
    first = matcher.match([post], k=1)[0][0].score
    matcher.match(["hubungi whatsapp admin"] * 50)
    assert matcher.match([post], k=1)[0][0].score == first
