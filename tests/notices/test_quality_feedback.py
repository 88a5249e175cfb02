"""Quality feedback on real notices: each office sees its share actioned and the most common
reasons its notices got no action, so training can target them; on the API and the portal."""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image

from salingjaga.core.timeutil import utcnow
from salingjaga.notices.feedback import NoticeFact, no_action_reasons
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body
from tests.web.helpers import make_user, sign_in


def test_reasons_of_a_notice_without_action() -> None:
    now = utcnow()
    weak = NoticeFact("misinformation", now, now, "no_violation", None, "hoaks", 0, None)
    assert no_action_reasons(weak) == ["no_violation", "no_legal_ground", "no_evidence", "short_explanation"]
    strong = NoticeFact("misinformation", now, now, "no_violation", "UU 1/2024 Pasal 28 ayat (3)", "x" * 80, 1,
                        "policy x is outside the notifier's trusted-flagger areas")
    assert no_action_reasons(strong) == ["no_violation", "outside_trusted_scope"]
    assert no_action_reasons(NoticeFact("misinformation", now, now, "remove")) == []
    assert no_action_reasons(NoticeFact("misinformation", now, None, None)) == []


def _png() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def test_office_sees_share_actioned_and_most_common_reasons(client: Any, world: Any) -> None:
    service = world.key("service")
    office = world.partner("Bawaslu Kota Bandung", region="32.73")
    flagger = world.key("partner_reporter", office)
    moderator = world.key("moderator")
    long_text = "Unggahan ini menyebarkan klaim palsu tentang jadwal pemungutan suara di Kota Bandung."
    made = [  # (legal ground, explanation, evidence, decision)
        ("UU 1/2024 Pasal 28 ayat (3)", long_text, True, "remove"),
        (None, "hoaks", False, "no_violation"),
        (None, "hoaks!", False, "no_violation"),
        ("UU 1/2024 Pasal 28 ayat (3)", long_text, False, "no_violation"),
    ]
    for ground, explanation, evidence, action in made:
        item = make_content(client, service)
        body = notice_body(item, legal_ground=ground, explanation=explanation,
                           evidence=[{"filename": "a.png", "data_base64": _png()}] if evidence else [])
        assert client.post("/api/v1/notices", json=body, headers=bearer(flagger)).status_code == 201
        case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
        client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator),
                    json={"action": action, "policy": "misinformation", "facts": "Reviewed."})
    fb = client.get(f"/api/v1/partners/{office}/feedback", headers=bearer(flagger)).json()
    assert fb["totals"]["share_actioned"] == 0.25
    assert fb["no_action_reasons"] == {"no_evidence": 3, "no_violation": 3, "no_legal_ground": 2,
                                       "short_explanation": 2}
    assert list(fb["no_action_reasons"])[:2] == ["no_evidence", "no_violation"]

    make_user(world, "partner_reporter", "nina@bandung.example", office)
    sign_in(client, "nina@bandung.example")
    page = client.get("/portal/feedback")
    assert "Why notices got no action" in page.text
    assert "no evidence was attached" in page.text
