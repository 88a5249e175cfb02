"""What a detector found, said plainly in the page's language for the case page.

A stored signal keeps the detector's own English explanation (``detection`` writes it for
the API and the logs); a moderator reads this instead: a sentence built from the signal's
type and its ``data`` (the figures and names the detector recorded), translated through
the shell's catalogue, plus the words quoted from the content or the fact-check, which are
shown as they are. A type this module does not know reads as a general sentence, never as
the detector's English; the stored explanation stays folded away as a technical detail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

Translate = Callable[[str], str]
Label = Callable[[str, Any], str]

# What a text classifier label means (the labels of ``detection/text/classifier.py``).
CLASSIFIER_LABEL: Mapping[str, str] = {
    "election_related": "the election", "election_misinformation": "election misinformation",
    "civic_integrity": "harm to civic integrity", "hate_sara": "hate speech against a group (SARA)",
}
# The scam and fundraising patterns (``detection/behaviour/patterns.toml``), by name.
PATTERN: Mapping[str, str] = {
    "transfer_to_claim_prize": "It asks for a transfer or a fee to claim a prize or a giveaway.",
    "personal_data_for_benefit":
        "It asks for an ID card number, a one-time code or a PIN in return for aid or a benefit.",
    "vote_by_message": "It claims that a vote can be cast by message or by sending an ID card.",
    "phishing_link_urgent": "It urgently asks people to click a link and sign in or verify an account.",
    "donation_to_account_number": "It asks for donations to a bank account or an e-wallet.",
    "campaign_fundraising": "It asks for money for a campaign, a candidate or a party.",
}


def _media(data: Mapping[str, Any]) -> str:
    index = data.get("media_index")
    if isinstance(index, list):
        return ", ".join(str(int(i) + 1) for i in index if isinstance(i, int))
    return str(int(index) + 1) if isinstance(index, int) else "?"


def _minutes(data: Mapping[str, Any]) -> int | None:
    try:
        first = datetime.fromisoformat(str(data["first"]))
        last = datetime.fromisoformat(str(data["last"]))
    except (KeyError, ValueError):
        return None
    return round((last - first).total_seconds() / 60)


def _bank(translate: Translate, data: Mapping[str, Any]) -> str:
    if data.get("bank_action") == "remove":
        return " " + translate("Media in that bank has been removed before.")
    if data.get("bank_action") == "review":
        return " " + translate("Media in that bank is kept for a person to review.")
    return ""


def explain(translate: Translate, label: Label, signal: Mapping[str, Any]) -> tuple[str, str]:
    """``(sentence, quoted)``: the signal in plain words, and the words it quotes from the
    content or a fact-check ("" when none), shown as they are."""
    kind = str(signal.get("type") or "")
    data: Mapping[str, Any] = signal.get("data") or {}
    t = translate
    if kind == "classifier":
        code = str(data.get("label") or "")
        meaning = t(CLASSIFIER_LABEL[code]) if code in CLASSIFIER_LABEL else label("words", code)
        return t("The text classifier judges this text to be about: %(label)s.") % {"label": meaning}, ""
    if kind == "claim_match":
        verdict = str(data.get("verdict") or "")
        if verdict:
            said = t("The text resembles a claim that fact-checkers have checked. Their verdict: %(verdict)s.") % {
                "verdict": label("verdict", verdict)}
        else:
            said = t("The text resembles a claim that fact-checkers are still checking.")
        if data.get("retroactive"):
            said += " " + t("Found when the fact-check was published, after the post.")
        return said, str(data.get("claim") or "")
    if kind in ("scam_pattern", "fundraising"):
        pattern = str(data.get("pattern") or "")
        lead = t("Looks like a scam.") if kind == "scam_pattern" else t("Asks for money.")
        return f"{lead} {t(PATTERN[pattern])}" if pattern in PATTERN else lead, ""
    if kind == "on_screen_text":
        matched = [str(w) for w in data.get("matched_words") or []]
        said = t("Text was read from media %(n)s; it is shown with the content.") % {"n": _media(data)}
        if matched:
            said += " " + t("Words that match a fact-check:")
        return said, ", ".join(matched[:20])
    if kind == "ocr_unavailable":
        return t("The text in media %(n)s could not be read automatically. Read it yourself in the media.") % {
            "n": _media(data)}, ""
    if kind == "md5_match":
        return t("Media %(n)s is an exact copy of a file in a bank of known media.") % {
            "n": _media(data)} + _bank(t, data), str(data.get("label") or "")
    if kind == "media_hash_match":
        said = t("Media %(n)s looks the same as a picture in a bank of known media.") % {"n": _media(data)}
        if data.get("orientation") not in (None, "", "original"):
            said += " " + t("The copy is turned or mirrored.")
        return said + _bank(t, data), str(data.get("label") or "")
    if kind == "media_error":
        return t("Media %(n)s could not be checked automatically: the file could not be read. Look at it yourself.") % {
            "n": _media(data)}, ""
    if kind == "creator_ai_label":
        return t("The creator labelled this content as AI-generated."), ""
    if kind == "c2pa_ai":
        return t("The file's verified content credentials declare that it was made with AI."), str(
            data.get("generator") or "")
    if kind == "c2pa_ai_unverified":
        return t("The file's content credentials claim it was made with AI, but they could not be verified. "
                 "Treat this as a claim and judge the media yourself."), str(data.get("generator") or "")
    if kind == "unlabelled_ai_public_figure":
        return t("AI-generated media without an AI label that names a public figure, during an election."), ", ".join(
            str(f) for f in data.get("figures") or [])
    if kind == "near_duplicate":
        count = len(data.get("earlier") or []) or 1
        how = t("text") if data.get("via") == "text" else t("media")
        return t("Nearly the same %(what)s as %(n)s earlier post(s) by other accounts.") % {
            "what": how, "n": count}, ""
    if kind == "coordinated_burst":
        accounts = len(data.get("accounts") or [])
        minutes = _minutes(data)
        if minutes is None:
            return t("%(n)s accounts posted nearly the same content at about the same time.") % {"n": accounts}, ""
        return t("%(n)s accounts posted nearly the same content within %(m)s minutes.") % {
            "n": accounts, "m": minutes}, ""
    return t("Found by automated detection; the technical detail says how."), ""
