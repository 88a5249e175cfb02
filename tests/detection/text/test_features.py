import numpy as np

from salingjaga.detection.text import features
from salingjaga.detection.text.index import char_ngrams


def test_char_ngram_counts_match_the_reference_analyser():
    texts = ["surat suara dicoblos", "", "a bc", "pemilu  2024 ditunda", "é中文 ok"]
    two = features.char_counts(texts, 20, (2,))
    assert list(np.asarray(two.sum(axis=1)).ravel()) == [sum(len(w) + 1 for w in t.split()) for t in texts]
    counts = features.char_counts(texts, 20)
    assert counts.shape == (5, 1 << 20)
    for row, text in zip(counts, texts, strict=True):
        assert row.sum() == len(char_ngrams(" ".join(text.split())))
    assert counts.has_canonical_format


def test_the_same_ngram_lands_in_the_same_bucket_in_any_batch():
    alone = features.char_counts(["suara"], 20)
    inside = features.char_counts(["kotak", "surat suara sah"], 20)[1]
    # every n-gram of "suara" occurs in the second text
    assert set(alone.indices) <= set(inside.indices)
    assert not set(alone.indices) <= set(features.char_counts(["kotak"], 20).indices)


def test_word_ngrams_stay_within_one_text():
    counts = features.word_counts(["a b c", "d e", ""], 20, (1, 2))
    assert list(np.asarray(counts.sum(axis=1)).ravel()) == [5, 3, 0]
    bigram_across = features.word_counts(["c d"], 20, (2,))
    assert not set(bigram_across.indices) & set(counts.indices)


def test_sublinear_l2_gives_unit_rows_and_keeps_empty_rows_empty():
    counts = features.char_counts(["surat surat suara", "", "kpu"], 18)
    weighted = features.sublinear_l2(counts, np.full(1 << 18, 2.0, dtype=np.float32))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    assert np.allclose(norms, [1.0, 0.0, 1.0], atol=1e-5)


def test_sublinear_l2_rows_are_unit_when_later_rows_are_empty():
    # a row followed by empty rows must still be normalised over all of its values
    counts = features.char_counts(["surat suara", "", ""], 18)
    weighted = features.sublinear_l2(counts)
    assert np.isclose(float(weighted[0].multiply(weighted[0]).sum()), 1.0)
