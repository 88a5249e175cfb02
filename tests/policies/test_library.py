"""The policy library: public pages in Indonesian and English with the legal grounds and
DSA category, and new versions published only after a second policy lead approves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from salingjaga.audit.models import AuditEvent
from salingjaga.policies.library import shipped_text
from salingjaga.policies.service import all_policies
from tests.web.helpers import csrf_from, make_user, sign_in


def test_every_policy_has_a_page_in_both_languages(client: Any) -> None:
    assert set(shipped_text()) == set(all_policies())
    index = client.get("/policies/library?lang=id")
    assert index.status_code == 200 and "Ujaran Kebencian dan Hasutan SARA" in index.text
    page = client.get("/policies/library/hate_speech_sara?lang=id")
    assert page.status_code == 200
    assert "UU 7/2017 Pasal 280 ayat (1) huruf c" in page.text
    assert "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH" in page.text
    assert "Kalimat yang menghasut, dikutip persis" in page.text
    en = client.get("/policies/library/gpppa_restrictions?lang=en")
    assert "A platform rule: no statute needs to be cited." in en.text
    assert "virtual gifts on a live stream" in en.text
    assert client.get("/policies/library/nope").status_code == 422


def test_a_new_version_needs_a_second_policy_lead(client: Any, world: Any, db: Any) -> None:
    make_user(world, "policy_lead", "ayu@sj.example", name="Ayu")
    make_user(world, "policy_lead", "bima@sj.example", name="Bima")
    sign_in(client, "ayu@sj.example", lang="en")
    form = client.get("/policies/library/campaign_rules/edit?language=id")
    assert form.status_code == 200
    text = {"covers": "Kampanye di masa tenang (24-26 November 2024) atau dari akun tak terdaftar.",
            "breaks": "Ajakan memilih pada masa tenang", "allowed": "Kampanye dari akun terdaftar",
            "good_notice": "Waktu unggah\nStatus pendaftaran akun"}
    saved = client.post("/policies/library/campaign_rules/edit",
                        data={"csrf_token": csrf_from(form.text), "language": "id", **text}, follow_redirects=False)
    assert saved.status_code == 303
    assert "24-26 November 2024" not in client.get("/policies/library/campaign_rules?lang=id").text
    listing = client.get("/admin/policy-library?lang=en")
    assert "Your draft: another policy lead approves it." in listing.text
    with db.session() as s:
        from salingjaga.policies.models import LibraryVersion

        version_id = s.scalar(select(LibraryVersion.id))
    own = client.post(f"/admin/policy-library/{version_id}", data={"csrf_token": csrf_from(listing.text),
                                                                   "decision": "approve"})
    assert own.status_code == 403
    client.cookies.clear()

    sign_in(client, "bima@sj.example", lang="en")
    listing = client.get("/admin/policy-library")
    done = client.post(f"/admin/policy-library/{version_id}", data={"csrf_token": csrf_from(listing.text),
                                                                    "decision": "approve"}, follow_redirects=False)
    assert done.status_code == 303
    client.cookies.clear()
    page = client.get("/policies/library/campaign_rules?lang=id")
    assert "24-26 November 2024" in page.text and "Versi 1" in page.text
    assert "Waktu unggah</li>" in page.text
    # the English page keeps its own text
    assert "24-26 November 2024" not in client.get("/policies/library/campaign_rules?lang=en").text
    with db.session() as s:
        actions = set(s.scalars(select(AuditEvent.action)))
    assert {"policy_library.draft_created", "policy_library.published"} <= actions
