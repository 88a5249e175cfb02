from salingjaga.detection.text.normalize import content_words, normalize


def test_informal_indonesian_is_brought_to_standard_form():
    text = "BURUAN!!! dpt 35jt gratisss 🙏🙏 yg penting rus4k #PemiluDamai https://t.co/x @akun"
    assert normalize(text) == "buruan dapat 35 juta gratis yang penting rusak pemilihan umum damai"


def test_reduplication_and_styled_letters():
    assert normalize("masing2 orang") == "masing masing orang"
    # mathematical bold letters, as used by scam posts to dodge filters
    assert normalize("𝐆𝐞𝐛𝐲𝐚𝐫 𝐔𝐧𝐝𝐢𝐚𝐧") == "gebyar undian"


def test_numbers_stay_one_token_on_both_sides():
    assert normalize("Gempa M 6,0 dan Rp 2.500.000") == normalize("gempa m 6.0 dan rp 2500000")


def test_content_words_drop_stopwords_and_stem():
    words = content_words(normalize("Pengungsi merusak rumah yang ditempati warga"))
    assert "yang" not in words
    assert {"ungsi", "rusak", "rumah"} <= set(words)


def test_batch_normalisation_equals_one_by_one():
    from salingjaga.detection.text.normalize import normalize_many

    texts = ["BURUAN!!! dpt 35jt", "", "masing2 @akun https://x.id/a", "a\x1eb #PemiluDamai", "kpu"]
    assert normalize_many(texts) == [normalize(t) for t in texts]
    assert normalize("a\x1eb") == "a b"


def test_fact_checker_verdict_labels_are_not_part_of_the_claim():
    assert normalize("[SALAH] Surat suara dicoblos") == normalize("Surat suara dicoblos")
    assert normalize("(HOAKS): KPU curang") == "kpu curang"
    assert normalize("[DISINFORMASI] Video lama") == "video lama"
    assert normalize("Salah satu TPS") == "salah satu tps"  # only a leading bracketed label
