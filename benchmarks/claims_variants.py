"""Claim matching on bent spellings and across languages, each beside its baseline in the
same run.

- Obfuscated: every TurnBackHoax 2024 post (others + scam) perturbed by ``_obfuscate``
  (leetspeak, spelled-out letters, zero-width characters, Cyrillic look-alikes, emoji inside
  words, stretched letters, chat abbreviations, glued hashtags) against the same posts
  clean; the character TF-IDF baseline on both.
- Across languages: the project's own English renderings of dev-set posts
  (``benchmarks/data/crosslingual_en_id.csv``) against the Indonesian fact-check headlines,
  beside the monolingual recall@1 of the same matcher mode on the whole set; and the
  reverse, the Indonesian posts against the English renderings as fact-checks.

    python -m benchmarks.run --only claims_variants
    python -m benchmarks.claims_variants --data ../shared/data/turnbackhoax-2024
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._obfuscate import perturb
from benchmarks.claims import DATA, baseline, turnbackhoax
from salingjaga.detection.text.eval import evaluate

PAIRS = Path(__file__).resolve().parent / "data" / "crosslingual_en_id.csv"


def english_pairs(path: Path = PAIRS) -> list[tuple[str, str]]:
    """(English text, Indonesian fact-check id) pairs written by the project."""
    with open(path, encoding="utf-8", newline="") as fh:
        return [(r["text"], r["expected_id"]) for r in csv.DictReader(fh)]


def obfuscated(folder: Path, seed: int = 0, rate: float = 0.2) -> dict[str, Any]:
    """recall@1 of the matcher and the baseline on clean and perturbed posts."""
    factchecks, queries = turnbackhoax(folder)
    rng = np.random.default_rng(seed)
    bent = [(perturb(text, rng, rate), expected) for text, expected in queries]
    out: dict[str, Any] = {"posts": len(queries), "rate": rate}
    for name, qs in (("clean", queries), ("perturbed", bent)):
        out[f"matcher_{name}"] = evaluate(factchecks, qs, semantic="never")["recall_at_1"]
        out[f"baseline_{name}"] = baseline(factchecks, qs)["recall_at_1"]
    return out


def across(folder: Path, semantic: str = "auto") -> dict[str, Any]:
    """English->Indonesian and Indonesian->English recall@1 on the project's pairs, the
    baseline on them, and the monolingual recall@1 of the same mode."""
    factchecks, queries = turnbackhoax(folder)
    pairs = english_pairs()
    en_id = evaluate(factchecks, pairs, semantic=semantic)
    posts = {}
    for text, expected in queries:
        posts.setdefault(expected, text)
    reverse_facts = [(expected, text) for text, expected in pairs]
    reverse_queries = [(posts[expected], expected) for _, expected in pairs]
    id_en = evaluate(reverse_facts, reverse_queries, semantic=semantic)
    mono = evaluate(factchecks, queries, semantic=semantic)
    return {"pairs": len(pairs), "en_id": en_id["recall_at_1"], "en_id_recall_at_5": en_id["recall_at_5"],
            "en_id_baseline": baseline(factchecks, pairs)["recall_at_1"],
            "id_en": id_en["recall_at_1"], "id_en_baseline": baseline(reverse_facts, reverse_queries)["recall_at_1"],
            "monolingual": mono["recall_at_1"], "semantic": semantic}


def run(ctx: Any) -> list[dict[str, Any]]:
    """Suite entry point (needs the data beside the checkout)."""
    from benchmarks.run import Skip

    if not DATA.exists():
        raise Skip(f"{DATA} not found")
    ob = obfuscated(DATA)
    x = across(DATA)
    return [
        ctx.figure("recall@1, perturbed TurnBackHoax posts", ob["matcher_perturbed"], "",
                   "same matcher on the clean posts", ob["matcher_clean"], target="<= 2 points lost",
                   meets=ob["matcher_clean"] - ob["matcher_perturbed"] <= 0.02,
                   baseline_char_tfidf_clean=ob["baseline_clean"],
                   baseline_char_tfidf_perturbed=ob["baseline_perturbed"]),
        ctx.figure(f"recall@1 English->Indonesian ({x['pairs']} project pairs)", x["en_id"], "",
                   "char 3-5-gram TF-IDF on the same pairs", x["en_id_baseline"], target=">= 0.75",
                   meets=x["en_id"] >= 0.75, monolingual_recall_at_1=x["monolingual"],
                   indonesian_to_english=x["id_en"], indonesian_to_english_baseline=x["id_en_baseline"]),
    ]


def main() -> None:
    """Print the figures and write a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--rate", type=float, default=0.2, help="share of words bent")
    parser.add_argument("--out", type=Path, default=Path("var/bench-claims-variants.json"))
    args = parser.parse_args()
    summary = {"obfuscated": obfuscated(args.data, rate=args.rate)}
    print(json.dumps(summary["obfuscated"]))
    summary["across"] = across(args.data)
    print(json.dumps(summary["across"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
