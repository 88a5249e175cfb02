"""Each obfuscation undone on its own, then all of them together through ``normalize``."""

from __future__ import annotations

from salingjaga.detection.text.deobfuscate import (
    fold_confusables,
    join_letters,
    segment,
    split_glued,
    strip_inner_symbols,
    strip_invisible,
)
from salingjaga.detection.text.normalize import collapse_repeats, expand_slang, normalize, unleet


def test_zero_width_and_control_characters_are_removed() -> None:
    assert strip_invisible("pe\u200bmi\u200clu\u200d cu\ufeffrang\u00ad") == "pemilu curang"
    assert strip_invisible("\u202ehoaks\u202c\x07") == "hoaks"
    assert strip_invisible("baris satu\nbaris\tdua") == "baris satu\nbaris\tdua"  # layout stays


def test_look_alike_letters_of_other_scripts_become_latin() -> None:
    # Cyrillic р, е, с, о and Greek Ο, Κ inside Latin words
    assert fold_confusables("\u0440\u0435milu \u0441ur\u0430ng") == "pemilu curang"
    assert fold_confusables("H\u039f\u039aS") == "HOKS"
    assert fold_confusables("p\u00e9m\u00edl\u00fc") == "pemilu"  # accents dropped
    assert fold_confusables("plain ascii") == "plain ascii"


def test_emoji_and_symbols_inside_a_word_are_removed_but_not_between_words() -> None:
    assert strip_inner_symbols("pe\U0001f525milu cu*rang ho|aks") == "pemilu curang hoaks"
    assert strip_inner_symbols("pemilu \U0001f525 curang") == "pemilu \U0001f525 curang"
    assert strip_inner_symbols("anak-anak Jum'at") == "anak-anak Jum'at"


def test_letters_spelled_out_one_by_one_are_joined() -> None:
    assert join_letters(["p", "e", "m", "i", "l", "u", "ditunda"]) == ["pemilu", "ditunda"]
    assert join_letters(["k", "p", "u", "curang"]) == ["kpu", "curang"]
    assert join_letters(["a", "b"]) == ["a", "b"]  # two letters are no spelled word
    assert join_letters(["tanggal", "1", "2", "3"]) == ["tanggal", "1", "2", "3"]  # numbers stay


def test_digits_inside_words_read_as_letters_but_amounts_stay() -> None:
    assert unleet("rus4k h0aks b3nar s4lah") == "rusak hoaks benar salah"
    assert unleet("5juta 2024 covid19") == "5juta 2024 covid19"


def test_repeated_letters_are_collapsed() -> None:
    assert collapse_repeats("gratisss hoaaaaks") == "gratis hoaks"
    assert collapse_repeats("maaf saat") == "maaf saat"  # a doubled letter is spelling


def test_glued_hashtags_are_cut_into_words() -> None:
    assert segment("pemiludiundur") == ["pemilu", "di", "undur"]
    assert split_glued("tolakpemilucurang") == "tolak pemilu curang"
    assert split_glued("jokowimundur") == "jokowimundur"  # a name is no dictionary word: left whole
    assert split_glued("PemiluDamai") == "PemiluDamai"  # camel case is split elsewhere
    assert split_glued("pemilu") == "pemilu"


def test_abbreviations_and_slang_are_expanded() -> None:
    assert expand_slang(["yg", "dpt", "bansos", "gk", "pemilu"]) == [
        "yang", "dapat", "bantuan sosial", "tidak", "pemilihan umum"]


def test_every_trick_at_once_reads_like_the_plain_sentence() -> None:
    plain = normalize("Surat suara pemilu sudah dicoblos, hoaks KPU curang")
    bent = normalize("Surat su4ra P E M I L U sudah dic\u200bobl\u043es\U0001f525, h0aaaks #kpucurang")
    assert bent == plain.replace(", ", " ")
    assert normalize("#pemiludiundur") == normalize("pemilu di undur")
    assert normalize("h.o.a.k.s") == normalize("hoaks") and normalize("p-e-m-i-l-u") == normalize("pemilu")
