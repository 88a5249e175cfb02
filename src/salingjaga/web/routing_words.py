"""A routing rule (``detection/routing.toml``) said in plain words for the rules page.

The file's fields (``signals``, ``min_score``, ``where``, ``actions``, ``queue``,
``severity_boost``, ``shadow``, ``require_exact``) become two short statements, *when* the
rule applies and *what then happens*, in the page's language; the file itself stays
folded away for experts. Field values are shown through the display layer's vocabularies,
so ``claim_match`` reads "Matches a fact-checked claim" and ``fyp_exclude`` "Keep out of For
You".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from salingjaga.web.signal_words import CLASSIFIER_LABEL

Translate = Callable[[str], str]
Label = Callable[[str, Any], str]
Decimal = Callable[[float], str]

BANK_ACTION: Mapping[str, str] = {
    "remove": "a bank of media already removed", "review": "a bank of media to be reviewed",
}


def _values(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _unique(labels: list[str]) -> str:
    """Labels joined, each once (``false`` and ``salah`` both read "False")."""
    return ", ".join(dict.fromkeys(labels))


def condition(translate: Translate, label: Label, field: str, value: Any) -> str:
    """One ``where`` condition as a phrase."""
    values = _values(value)
    if field == "verdict":
        said = _unique([label("verdict", v) for v in values])
        return translate("the fact-check's verdict is one of: %(values)s") % {"values": said}
    if field == "bank_action":
        said = ", ".join(translate(BANK_ACTION[v]) if v in BANK_ACTION else label("words", v) for v in values)
        return translate("the match is in %(bank)s") % {"bank": said}
    if field == "creator_labelled":
        labelled = values[0].lower() == "true"
        return translate("the creator labelled it as AI-generated") if labelled else translate(
            "the creator did not label it as AI-generated")
    if field == "label":
        said = ", ".join(translate(CLASSIFIER_LABEL[v]) if v in CLASSIFIER_LABEL else label("words", v)
                         for v in values)
        return translate("the text classifier judges the text to be about: %(labels)s") % {"labels": said}
    return translate("%(field)s is %(values)s") % {
        "field": label("words", field), "values": ", ".join(label("words", v) for v in values)}


def when(translate: Translate, label: Label, decimal: Decimal, rule: Mapping[str, Any]) -> list[str]:
    """The conditions of a rule, one phrase each: the signals, the score, the ``where``."""
    signals = [s for s in _values(rule.get("signals", [])) if s]
    if not signals or signals == ["*"]:
        parts = [translate("Any signal")]
    else:
        parts = [translate("Signal: %(names)s") % {
            "names": translate(" or ").join(label("signal", s) for s in signals)}]
    score = rule.get("min_score")
    if score is not None:
        parts.append(translate("at any score") if float(score) <= 0 else
                     translate("with a score of %(score)s or more") % {"score": decimal(float(score))})
    for field, value in (rule.get("where") or {}).items():
        parts.append(condition(translate, label, str(field), value))
    return parts


def then(translate: Translate, label: Label, rule: Mapping[str, Any]) -> list[str]:
    """What happens when a rule applies, one phrase each."""
    parts: list[str] = []
    actions = _values(rule.get("actions", []))
    actions = [a for a in actions if a]
    if actions:
        parts.append(translate("Done automatically: %(actions)s") % {
            "actions": ", ".join(label("action", a) for a in actions)})
        if rule.get("require_exact"):
            parts.append(translate("only on exact evidence (a known file or verified credentials)"))
    if rule.get("queue"):
        boost = int(rule.get("severity_boost") or 0)
        if boost:
            parts.append(translate("Goes to the review queue, %(n)s priority level(s) higher") % {"n": boost})
        else:
            parts.append(translate("Goes to the review queue"))
    if rule.get("policy"):
        parts.append(translate("under the policy %(policy)s") % {"policy": label("words", rule["policy"])})
    if not parts:
        parts.append(translate("Kept for the record only"))
    if rule.get("shadow"):
        parts.append(translate("On trial: what it would do is recorded, nothing is done"))
    return parts
