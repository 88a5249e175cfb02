"""The official DSA Transparency Database enumerations, read from shipped data.

``data/dsa-enums.json`` is a verbatim copy of the API's own enumerations (categories,
keywords, visibility, grounds, content types, sources, EEA country codes, languages) with a
provenance note. Statement building, the policy mapping and ``validate-statements`` all read
their allowed values from here, so a change of the API is one data refresh, never a hunt
through hand-typed lists (which is how removed categories slipped through before).

It lives with the policies because it is reference data: moderation builds statements from
it and transparency exports them, and both may import reference data, not each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class DsaEnums:
    """The allowed values of every enumerated statement field (constants, not labels)."""

    commit: str
    decision_visibilities: tuple[str, ...]
    decision_monetaries: tuple[str, ...]
    decision_provisions: tuple[str, ...]
    decision_accounts: tuple[str, ...]
    account_types: tuple[str, ...]
    decision_grounds: tuple[str, ...]
    content_types: tuple[str, ...]
    categories: tuple[str, ...]
    keywords: tuple[str, ...]
    source_types: tuple[str, ...]
    automated_decisions: tuple[str, ...]
    yes_no: tuple[str, ...]
    eea_countries: tuple[str, ...]
    languages: tuple[str, ...]
    # Constants the API used to accept and now refuses, with the day they went: an error
    # naming the removal helps whoever meets an old statement.
    removed: dict[str, str]


def raw_enums() -> dict[str, Any]:
    """The shipped JSON as is, provenance included."""
    text = resources.files("salingjaga.policies").joinpath("data/dsa-enums.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def dsa_enums() -> DsaEnums:
    """The enumerations, loaded once."""
    raw = raw_enums()
    removed = {value: day for day, kinds in raw.get("_removed", {}).items()
               for values in kinds.values() for value in values}
    yes_no = (raw["OTHER"]["AUTOMATED_DETECTION_YES"], raw["OTHER"]["AUTOMATED_DETECTION_NO"])
    return DsaEnums(
        commit=str(raw["_provenance"]["commit"]),
        decision_visibilities=tuple(raw["DECISION_VISIBILITY"]),
        decision_monetaries=tuple(raw["DECISION_MONETARY"]),
        decision_provisions=tuple(raw["DECISION_PROVISION"]),
        decision_accounts=tuple(raw["DECISION_ACCOUNT"]),
        account_types=tuple(raw["ACCOUNT_TYPE"]),
        decision_grounds=tuple(raw["DECISION_GROUND"]),
        content_types=tuple(raw["CONTENT_TYPE"]),
        categories=tuple(raw["STATEMENT_CATEGORY"]),
        keywords=tuple(raw["KEYWORD"]),
        source_types=tuple(raw["SOURCE"]),
        automated_decisions=tuple(raw["AUTOMATED_DECISION"]),
        yes_no=yes_no,
        eea_countries=tuple(sorted(raw["EUROPEAN_COUNTRY_CODES"])),
        languages=tuple(raw["ALL_LANGUAGES"]),
        removed=removed,
    )
