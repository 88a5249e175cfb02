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
