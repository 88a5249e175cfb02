"""Errors a person meets on a page are said in the page's language with what to do next,
never as the server's English message: one refused action per area that has pages
(the team page of partners and auth, the office import, the reporters' bulk upload and
its rows, the policy library's drafts, the administrators' user form, a missing
office's error page); the console's are in ``test_error_reasons``."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.web.crawl import english_sentence
from tests.web.helpers import csrf_from, make_user, sign_in
from tests.web.test_error_pages import visible


def _said(page: str, words: list[str], english: str) -> None:
    shown = visible(page)
    for text in words:
        assert text in shown, text
    assert english not in shown


@pytest.mark.parametrize(("lang", "words"), [
    ("id", ["Seorang anggota organisasi ini sudah memakai alamat e-mail nina@bandung.id.",
            "Cari orang itu di daftar anggota, atau undang alamat lain."]),
    ("en", ["A member of this organisation already uses the e-mail address nina@bandung.id.",
            "Look for them in the list of members, or invite another address."]),
])
def test_the_team_page_says_a_members_address_is_taken(client: Any, world: Any, scene: Any, lang: str,
                                                       words: list[str]) -> None:
    make_user(world, "partner_admin", "sari@bandung.id", scene.bandung, name="Sari")
    sign_in(client, "sari@bandung.id", lang=lang)
    page = client.get("/team")
    r = client.post("/team/invitations", data={"csrf_token": csrf_from(page.text), "email": "Nina@Bandung.id",
                                               "name": "Nina", "role": "partner_reporter", "language": "id"})
    assert r.status_code == 409
    _said(r.text, words, "already has an account")
    assert "Nina" in r.text  # the member is listed on the same page


def test_an_unknown_office_is_named_on_the_error_page(client: Any, scene: Any) -> None:
    sign_in(client, "admin@sj.id", lang="id")
    r = client.get("/team?partner=prt_tidak_ada")
    assert r.status_code == 404
    _said(r.text, ["Organisasi prt_tidak_ada tidak dikenal.", "Pilih organisasi dari daftar."], "not found")


def test_the_office_import_says_each_line_in_indonesian(client: Any, scene: Any) -> None:
    sign_in(client, "admin@sj.id", lang="id")
    page = client.get("/admin/partners/import")
    csv_text = ("name,kind,region_code,contact_email\n"
                "Bawaslu Provinsi Bali,election_supervisor,51,\n"
                "Bawaslu Bali,election_supervisor,51,\n"
                "Bawaslu Kota Atlantis,election_supervisor,99.99,\n"
                "KPU Bali,bank,51,\n")
    r = client.post("/admin/partners/import", data={"csrf_token": csrf_from(page.text), "source": "file",
                                                    "action": "dry_run"},
                    files={"file": ("kantor.csv", csv_text.encode(), "text/csv")})
    assert r.status_code == 422
    _said(r.text, ["Baris 3 menyebutkan kantor yang sama dengan baris 2.",
                   "Baris 4: wilayah 99.99 tidak dikenal.", "Tulis kode Kemendagri seperti 32 atau 32.73",
                   "Baris 5: jenis kantor tidak dikenal platform."], "unknown kind")


def _bulk(client: Any, name: str, data: bytes) -> Any:
    page = client.get("/portal/bulk?lang=id")
    return client.post("/portal/bulk", data={"csrf_token": csrf_from(page.text)},
                       files=[("file", (name, data, "text/csv"))])


def test_the_bulk_upload_says_a_file_it_cannot_read_in_indonesian(client: Any, scene: Any) -> None:
    sign_in(client, "nina@bandung.id", lang="id")
    r = _bulk(client, "laporan.csv", "url,policy\nhttps://video.example/@a/1,misinformation,é\n".encode("latin-1"))
    assert r.status_code == 422
    _said(r.text, ["Berkas ini bukan teks UTF-8.", "“CSV UTF-8”"], "must be UTF-8")
    r = _bulk(client, "laporan.csv", b"url,explanation\nhttps://video.example/@a/1,uji\n")
    _said(r.text, ["Baris pertama berkas CSV tidak memiliki kolom “policy”."], "CSV header must include")


def test_the_bulk_upload_says_each_refused_row_in_indonesian(client: Any, scene: Any) -> None:
    """A row's error is said from its reason and values (``params``), which the API's
    answer carries beside the unchanged message."""
    sign_in(client, "nina@bandung.id", lang="id")
    csv_text = ("url,policy,explanation,good_faith\n"
                f"{scene.content_url},civic_election_integrity,Ajakan mencoblos lewat WA,mungkin\n"
                f"{scene.content_url},civic_election_integrity,Ajakan mencoblos lewat WA,ya,lebih\n")
    r = _bulk(client, "laporan.csv", csv_text.encode())
    assert r.status_code == 200
    shown = visible(r.text)
    assert ("Kolom “Pernyataan iktikad baik” hanya menerima ya atau tidak. "
            "Tulis ya atau tidak, lalu kirim lagi.") in shown
    assert "Baris 3 memiliki lebih banyak sel daripada kolom yang disebutkan di baris pertama." in shown
    assert "is not a yes/no value" not in shown and "cells, but the header" not in shown
    for line in shown.splitlines():
        assert not english_sentence(line), line


def test_the_policy_library_says_a_draft_decided_already(client: Any, world: Any, db: Any) -> None:
    from salingjaga.policies.models import LibraryVersion

    make_user(world, "policy_lead", "ayu@sj.example", name="Ayu")
    make_user(world, "policy_lead", "bima@sj.example", name="Bima")
    sign_in(client, "ayu@sj.example", lang="id")
    form = client.get("/policies/library/campaign_rules/edit?language=id")
    saved = client.post("/policies/library/campaign_rules/edit", data={
        "csrf_token": csrf_from(form.text), "language": "id", "covers": "Kampanye di masa tenang.",
        "breaks": "Ajakan memilih pada masa tenang", "allowed": "Kampanye dari akun terdaftar",
        "good_notice": "Waktu unggah"}, follow_redirects=False)
    assert saved.status_code == 303
    client.cookies.clear()
    with db.session() as s:
        version_id = s.scalar(select(LibraryVersion.id))
    sign_in(client, "bima@sj.example", lang="id")
    listing = client.get("/admin/policy-library")
    approve = {"csrf_token": csrf_from(listing.text), "decision": "approve"}
    assert client.post(f"/admin/policy-library/{version_id}", data=approve,
                       follow_redirects=False).status_code == 303
    again = client.post(f"/admin/policy-library/{version_id}", data=approve)
    assert again.status_code == 409
    _said(again.text, ["Versi ini bukan draf lagi: sudah disetujui atau ditolak.",
                       "Muat ulang daftar draf untuk melihat yang masih terbuka."], "not a draft")


def test_the_user_form_says_an_unknown_language_in_indonesian(client: Any, scene: Any) -> None:
    sign_in(client, "admin@sj.id", lang="id")
    page = client.get("/admin/users")
    r = client.post("/admin/users", data={"csrf_token": csrf_from(page.text), "name": "Tamu", "role": "moderator",
                                          "email": "tamu@sj.id", "language": "fr"})
    assert r.status_code == 422
    _said(r.text, ["Bahasa harus bahasa Indonesia atau bahasa Inggris.", "Pilih salah satunya, lalu simpan lagi."],
          "language must be")
