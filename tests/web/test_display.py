"""The display layer: codes become labels in each language, times are WIB with the zone
named and a localised month, sizes and durations read as a person says them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salingjaga.web import display
from salingjaga.web.i18n import translations


def f(lang: str) -> dict:
    return display.filters(translations(lang).gettext, lang)


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", ["Pelapor mitra", "Sedang ditinjau", "Dihapus", "Pengawas pemilu (Bawaslu)", "Salah",
            "Cocok dengan klaim yang sudah diperiksa", "Deteksi otomatis", "Konten dihapus"]),
    ("en", ["Partner reporter", "Under review", "Removed", "Election supervisor (Bawaslu)", "False",
            "Matches a fact-checked claim", "Automated detection", "The content is removed"]),
])
def test_codes_read_as_labels_in_each_language(lang: str, expected: list[str]) -> None:
    x = f(lang)
    got = [x["role"]("partner_reporter"), x["status"]("in_review"), x["outcome"]("remove"),
           x["partner_kind"]("election_supervisor"), x["verdict"]("false"), x["signal"]("claim_match"),
           x["source"]("proactive"), x["dsa"]("DECISION_VISIBILITY_CONTENT_REMOVED")]
    assert got == expected


def test_an_unknown_code_reads_as_words_never_as_the_code() -> None:
    x = f("en")
    assert x["status"]("some_new_state") == "Some new state"
    assert x["dsa"]("STATEMENT_CATEGORY_ANIMAL_WELFARE") == "Animal welfare"
    assert x["role"](None) == ""


def test_times_are_wib_with_the_zone_named_and_a_localised_month() -> None:
    moment = datetime(2024, 2, 14, 1, 5, tzinfo=UTC)
    assert f("id")["wib"](moment) == "14 Februari 2024 08.05 WIB"
    assert f("en")["wib"](moment) == "14 February 2024 08.05 WIB"
    assert f("id")["wib"](moment.replace(tzinfo=None), False) == "14 Februari 2024"
    # late evening UTC is already the next day in Jakarta
    assert f("en")["wib"](datetime(2024, 2, 13, 20, 0, tzinfo=UTC)).startswith("14 February")


def test_sizes_durations_numbers_and_priorities() -> None:
    x, y = f("id"), f("en")
    assert y["size"](6730896) == "6.4 MB" and y["size"](512) == "512 B" and y["size"](2048) == "2.0 KB"
    assert x["duration"](0) == "kurang dari semenit" and y["duration"](0) == "under a minute"
    assert y["duration"](timedelta(hours=2, minutes=5)) == "2 h 5 min"
    assert x["duration"](3 * 86400 + 3600) == "3 hari 1 jam"
    assert x["number"](250000) == "250.000" and y["number"](250000) == "250,000"
    # the part of a priority inside its source tier decides the level
    assert y["priority"](41200) == "Low" and y["priority"](47200) == "Urgent" and x["priority"](34491) == "Sedang"
    assert y["file_type"]("image/png") == "Image (PNG)" and x["file_type"]("application/pdf") == "Dokumen (PDF)"


def test_server_messages_are_said_in_the_page_language_with_what_to_do() -> None:
    raw = "no content with url 'https://video.example/@a/vid-1' is known to the platform"
    said = f("id")["message"](raw)
    assert said.startswith("Unggahan dengan alamat https://video.example/@a/vid-1 belum dikenal platform")
    assert "Check the link" in f("en")["message"](raw)
    assert f("id")["message"]("choose an action") == "pilih tindakan"
    assert f("id")["message"]("something new") == "something new"  # unknown: shown as it is
