"""Reading fact-checks from files: schema.org ClaimReview JSON-LD in every shape publishers
use, Google Fact Check Tools JSON, and CSV or TSV. Pure functions, no database.

A file is read record by record: a broken record is reported with where it sits and
skipped, so one bad entry never costs the rest of the file. Only a file that cannot be
read at all (not JSON, a CSV without a claim column) is refused as a whole.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from salingjaga.core.errors import Invalid
from salingjaga.core.inputlimits import loads_limited
from salingjaga.factcheck.ratings import CLASSES, classify_rating, rating_words, verdict_for


@dataclass
class FactCheckData:
    """One fact-check as parsed from any input format, before it is stored."""

    claim: str
    rating: str = ""
    verdict: str = ""
    claimant: str | None = None
    claim_date: datetime | None = None
    appearance_urls: list[str] = field(default_factory=list)
    publisher: str = ""
    review_url: str | None = None
    review_date: datetime | None = None
    language: str | None = None
    # the review article's own headline, when it says the claim in other words (matched too)
    headline: str = ""


@dataclass(frozen=True)
class RecordError:
    """A record that was skipped: where it sits in the file and why."""

    item: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The JSON shape used by the API and the CLI."""
        return {"item": self.item, "message": self.message}


@dataclass
class Parsed:
    """What a file holds: its readable records, each with where it sits, and the errors
    of those that could not be read."""

    items: list[tuple[str, FactCheckData]] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)


# ------------------------------------------------------------------------------ dates

_MONTHS = {
    "january": 1, "jan": 1, "januari": 1, "february": 2, "feb": 2, "februari": 2,
    "pebruari": 2, "peb": 2, "march": 3, "mar": 3, "maret": 3, "april": 4, "apr": 4,
    "may": 5, "mei": 5, "june": 6, "jun": 6, "juni": 6, "july": 7, "jul": 7, "juli": 7,
    "august": 8, "aug": 8, "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agu.": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "oktober": 10, "okt": 10,
    "november": 11, "nov": 11, "nopember": 11, "nop": 11, "december": 12, "dec": 12,
    "desember": 12, "des": 12,
}
_WEEKDAY = re.compile(
    r"^(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?\s+")
_ZONES = {"wib": 7, "wita": 8, "wit": 9, "utc": 0, "gmt": 0, "z": 0}
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([a-z]+)\.?,?[\s\-]+(\d{4})")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_TIME = re.compile(
    r"^(?:,?\s*(?:t|at|pukul|jam|-)?\s*)(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*(am|pm)?")
_OFFSET = re.compile(r"^\s*(?:([a-z]+)\s*)?(?:([+-])(\d{2}):?(\d{2})?)?\s*$")
DATE_FORMATS = "2018-03-30, 2018-03-30T10:00:00Z, 30/03/2018, March 30, 2018 or 30 Maret 2018"


def _iso(value: str) -> datetime | None:
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)  # +0200 -> +02:00
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _clock_and_zone(rest: str, day: datetime) -> datetime | None:
    """``day`` with the time and zone that follow the date, or None if what follows is
    neither."""
    rest = rest.strip()
    match = _TIME.match(rest)
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if match[4] == "pm" and hour < 12:
            hour += 12
        elif match[4] == "am" and hour == 12:
            hour = 0
        try:
            day = day.replace(hour=hour, minute=minute, second=second)
        except ValueError:
            return None
        rest = rest[match.end():]
    zone = _OFFSET.match(rest)
    if zone is None:
        return None
    name, sign, hours, minutes = zone[1], zone[2], zone[3], zone[4]
    if name and name not in _ZONES:
        return None
    if sign:
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return day.replace(tzinfo=timezone(delta if sign == "+" else -delta))
    if name:
        return day.replace(tzinfo=timezone(timedelta(hours=_ZONES[name])))
    return day


def read_date(value: Any) -> datetime | None:
    """A date or datetime in the common formats (ISO 8601, ``30/03/2018`` day first,
    ``March 30, 2018``, ``30 Maret 2018``, a weekday and a time zone such as WIB allowed),
    as aware UTC; None when empty. Raises ValueError for text that is no date, so the
    caller can say which record holds it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    else:
        parsed = _iso(value) or _spelled(value)
    if parsed is None:
        raise ValueError(f"{value.strip()[:40]!r} is not a date (use {DATE_FORMATS})")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _spelled(value: str) -> datetime | None:
    text = _WEEKDAY.sub("", " ".join(value.strip().lower().split()))
    day = month = year = 0
    rest = ""
    if m := _DAY_FIRST.match(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _YEAR_FIRST.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif (m := _DAY_MONTH.match(text)) and m[2] in _MONTHS:
        day, month, year = int(m[1]), _MONTHS[m[2]], int(m[3])
    elif (m := _MONTH_DAY.match(text)) and m[1] in _MONTHS:
        month, day, year = _MONTHS[m[1]], int(m[2]), int(m[3])
    else:
        return None
    rest = text[m.end():]
    try:
        base = datetime(year, month, day)
    except ValueError:
        return None
    return _clock_and_zone(rest, base)


def parse_date(value: Any) -> datetime | None:
    """A date as ``read_date`` reads it, or None when missing or unreadable: for the
    publishers' own markup, where a messy date should not cost the fact-check."""
    try:
        return read_date(value)
    except ValueError:
        return None


# ------------------------------------------------------------------------------ ClaimReview


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return html.unescape(" ".join(str(value).split()))
    return ""


def _name(value: Any) -> str:
    """The name of a schema.org Person or Organization (or a list of them, or a string)."""
    if isinstance(value, dict):
        return _text(value.get("name")) or _text(value.get("site"))
    if isinstance(value, list):
        return ", ".join(n for n in (_name(v) for v in value) if n)
    return _text(value)


def _types(obj: dict[str, Any]) -> set[str]:
    """``@type`` as a set of bare names: a string or a list, ``schema:`` or full-URL
    prefixes removed."""
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values if v}


def _urls(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    out = []
    for item in items:
        url = item.get("url") if isinstance(item, dict) else item
        if isinstance(url, str) and url.strip():
            out.append(url.strip())
    return out


def _publisher(obj: dict[str, Any]) -> str:
    """The fact-checking organisation. Google asks for it in ``author``; some publishers
    name the writer there and the organisation in ``publisher``."""
    author = obj.get("author")
    first = author[0] if isinstance(author, list) and author else author
    if isinstance(first, dict) and "Person" in _types(first) and obj.get("publisher"):
        return _name(obj.get("publisher"))
    return _name(author) or _name(obj.get("publisher"))


def _review_url(obj: dict[str, Any]) -> str | None:
    for value in (obj.get("url"), obj.get("mainEntityOfPage"), obj.get("@id")):
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and value.strip() and not value.startswith("_:"):
            return value.strip()
    return None


def _language(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value)[:10].lower() if value else None


def _claim_text(obj: dict[str, Any], reviewed: dict[str, Any]) -> str:
    claim = obj.get("claimReviewed")
    if isinstance(claim, list):
        parts = [_text(c) for c in claim]
        claim = " / ".join(dict.fromkeys(p for p in parts if p))
    text = _text(claim)
    return text or _text(reviewed.get("name"))


def _headline(obj: dict[str, Any], claim: str) -> str:
    """The review article's headline (``headline``, else its ``name``) when it differs
    from the claim: fact-checkers often restate the claim there in the words posts use."""
    text = _text(obj.get("headline")) or _text(obj.get("name"))
    return "" if " ".join(text.lower().split()) == " ".join(claim.lower().split()) else text


def from_claimreview(obj: dict[str, Any]) -> FactCheckData:
    """A schema.org ClaimReview object (JSON-LD), in the shapes fact-checkers publish:
    ``claimReviewed`` a string or a list; ``reviewRating`` with ``alternateName``, ``name``
    or a numeric ``ratingValue`` on its ``worstRating``..``bestRating`` scale;
    ``itemReviewed`` (a Claim or CreativeWork) giving the claimant, date and appearances."""
    if not isinstance(obj, dict):
        raise Invalid("a ClaimReview must be a JSON object", reason="factcheck.not_an_object")
    reviewed = obj.get("itemReviewed")
    reviewed = reviewed[0] if isinstance(reviewed, list) and reviewed else reviewed
    reviewed = reviewed if isinstance(reviewed, dict) else {}
    claim = _claim_text(obj, reviewed)
    if not claim:
        raise Invalid("ClaimReview needs claimReviewed: the claim's text", reason="factcheck.claim_empty")
    rating = obj.get("reviewRating")
    rating = rating[0] if isinstance(rating, list) and rating else rating
    rating = rating if isinstance(rating, dict) else {}
    words = rating_words(rating)
    if not words:
        raise Invalid("ClaimReview needs reviewRating with alternateName, name or a numeric "
                      "ratingValue: the verdict", reason="factcheck.verdict_missing")
    appearances = (_urls(reviewed.get("appearance")) + _urls(reviewed.get("firstAppearance"))
                   + _urls(reviewed.get("url")))
    return FactCheckData(
        claim=claim, rating=words, verdict=classify_rating(rating),
        claimant=_name(reviewed.get("author")) or None,
        claim_date=parse_date(reviewed.get("datePublished")),
        appearance_urls=list(dict.fromkeys(appearances)),
        publisher=_publisher(obj), review_url=_review_url(obj),
        review_date=parse_date(obj.get("datePublished")), language=_language(obj.get("inLanguage")),
        headline=_headline(obj, claim),
    )


MAX_DEPTH = 12


def claimreview_objects(data: Any) -> list[dict[str, Any]]:
    """Every ClaimReview in a JSON-LD document, in document order: at the top, in a list,
    in ``@graph``, in a schema.org ``DataFeed`` (``dataFeedElement[]``) or ``DataFeedItem``
    (``item``), or nested anywhere else. An object counts when its ``@type`` (a string or a
    list) includes ClaimReview, or when it has no type but carries ``claimReviewed`` or
    ``reviewRating``; a ClaimReview's own contents are not searched further."""
    found: list[dict[str, Any]] = []

    def walk(node: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        if isinstance(node, list):
            for value in node:
                walk(value, depth + 1)
            return
        if not isinstance(node, dict):
            return
        types = _types(node)
        if "ClaimReview" in types or "claimReviewed" in node or (
                not types and "reviewRating" in node):
            found.append(node)
            return
        for key, value in node.items():
            if key != "@context" and isinstance(value, dict | list):
                walk(value, depth + 1)

    walk(data, 0)
    return found


def _where(obj: dict[str, Any], number: int) -> str:
    url = _review_url(obj)
    return f"record {number}" + (f" ({url[:120]})" if url else "")


def from_jsonld(data: Any) -> Parsed:
    """Every ClaimReview in a parsed JSON-LD document; the broken ones as errors."""
    out = Parsed()
    for number, obj in enumerate(claimreview_objects(data), start=1):
        where = _where(obj, number)
        try:
            out.items.append((where, from_claimreview(obj)))
        except Invalid as exc:
            out.errors.append(RecordError(where, exc.message))
    return out


def from_google(obj: dict[str, Any]) -> Parsed:
    """Google Fact Check Tools API output: ``claims[]``, each with ``claimReview[]``."""
    out = Parsed()
    raw_claims = obj.get("claims")
    claims: list[Any] = raw_claims if isinstance(raw_claims, list) else []
    for c_number, claim in enumerate(claims, start=1):
        if not isinstance(claim, dict):
            out.errors.append(RecordError(f"claim {c_number}", "a claim must be a JSON object"))
            continue
        raw_reviews = claim.get("claimReview")
        reviews: list[Any] = raw_reviews if isinstance(raw_reviews, list) else []
        for r_number, review in enumerate(reviews, start=1):
            where = f"claim {c_number}, review {r_number}"
            if not isinstance(review, dict):
                out.errors.append(RecordError(where, "a claimReview must be a JSON object"))
                continue
            rating = _text(review.get("textualRating"))
            out.items.append((where, FactCheckData(
                claim=_text(claim.get("text")), rating=rating, verdict=verdict_for(rating),
                claimant=_text(claim.get("claimant")) or None,
                claim_date=parse_date(claim.get("claimDate")),
                publisher=_name(review.get("publisher")),
                review_url=_text(review.get("url")) or None,
                review_date=parse_date(review.get("reviewDate")),
                language=_text(review.get("languageCode")) or None,
                headline=_headline({"headline": review.get("title")}, _text(claim.get("text"))),
            )))
    return out


# ------------------------------------------------------------------------------ CSV

CSV_COLUMNS = ("claim", "rating", "verdict", "claimant", "claim_date", "appearance_urls",
               "publisher", "review_url", "review_date", "language", "headline")
_ALIASES = {"claimreviewed": "claim", "claim_reviewed": "claim", "text": "claim",
            "textualrating": "rating", "textual_rating": "rating", "alternatename": "rating",
            "url": "review_url", "reviewurl": "review_url", "claimdate": "claim_date",
            "reviewdate": "review_date", "datepublished": "review_date",
            "appearance": "appearance_urls", "appearances": "appearance_urls",
            "inlanguage": "language", "author": "publisher"}
DELIMITERS = ",\t;|"


def _column(name: str) -> str:
    key = "_".join(name.strip().strip("\ufeff").lower().split())
    return _ALIASES.get(key, key)


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV-like text: ``csv.Sniffer``'s guess if it yields a header with
    a claim column, else the first of comma, tab, semicolon and bar that does, else the
    most frequent of them in the header line (comma when none appears)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    guesses: list[str] = []
    with contextlib.suppress(csv.Error):  # one column, or too little text to tell
        guesses.append(csv.Sniffer().sniff(text[:65536], delimiters=DELIMITERS).delimiter)
    guesses.extend(DELIMITERS)
    for delimiter in guesses:
        columns = next(csv.reader([header], delimiter=delimiter), [])
        if "claim" in {_column(c) for c in columns}:
            return delimiter
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def from_csv(text: str) -> Parsed:
    """CSV or TSV (the delimiter is sniffed) with a header naming some of: claim
    (required), rating or verdict, claimant, claim_date, appearance_urls (space or |
    separated), publisher, review_url, review_date, language, headline (or title).
    Dates in the formats of
    ``read_date``; a row with a date that is none is reported and skipped."""
    try:
        delimiter = sniff_delimiter(text)
    except csv.Error as exc:  # the header itself is over the csv module's limit
        raise Invalid(f"the CSV header cannot be read: {exc}", reason="factcheck.csv_header_unreadable") from exc
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    out = Parsed()
    try:
        _read_rows(reader, out)
    except csv.Error as exc:  # a field over the csv module's limit, a stray NUL byte
        raise Invalid(f"the CSV cannot be read at line {reader.line_num}: {exc}", reason="factcheck.csv_unreadable",
                      params={"line": reader.line_num}) from exc
    return out


def _read_rows(reader: Any, out: Parsed) -> None:
    """The rows of a csv reader into ``out``; the first non-blank row is the header."""
    header: list[str] | None = None
    for fields in reader:
        if header is None:
            if not any(f.strip() for f in fields):
                continue
            header = [_column(f) for f in fields]
            if "claim" not in header:
                raise Invalid("the CSV needs a header with at least a 'claim' column",
                              reason="factcheck.csv_claim_column")
            continue
        if not any(f.strip() for f in fields):
            continue
        where = f"row {reader.line_num}"
        row = {name: value.strip() for name, value in zip(header, fields, strict=False)}
        try:
            claim_date = _row_date(row, "claim_date")
            review_date = _row_date(row, "review_date")
        except ValueError as exc:
            out.errors.append(RecordError(where, str(exc)))
            continue
        urls = (row.get("appearance_urls") or "").replace("|", " ").split()
        verdict = (row.get("verdict") or "").lower()
        out.items.append((where, FactCheckData(
            claim=row.get("claim") or "", rating=row.get("rating") or row.get("verdict") or "",
            verdict=verdict if verdict in CLASSES else "", claimant=row.get("claimant") or None,
            claim_date=claim_date, appearance_urls=urls,
            publisher=row.get("publisher") or "", review_url=row.get("review_url") or None,
            review_date=review_date, language=row.get("language") or None,
            headline=row.get("headline") or row.get("title") or "",
        )))
    if header is None:
        raise Invalid("the CSV needs a header with at least a 'claim' column", reason="factcheck.csv_claim_column")


def _row_date(row: dict[str, str], column: str) -> datetime | None:
    try:
        return read_date(row.get(column))
    except ValueError as exc:
        raise ValueError(f"{column}: {exc}") from exc


# ------------------------------------------------------------------------------ files


def parse_document(name: str, text: str) -> Parsed:
    """Every fact-check in a file, with the records that could not be read: ClaimReview
    JSON-LD (any shape ``claimreview_objects`` finds), Google Fact Check Tools JSON, or
    CSV/TSV (by extension, or when the text is not JSON). Raises ``Invalid`` only for a
    file that cannot be read at all."""
    stripped = text.lstrip()
    if name.lower().endswith((".csv", ".tsv", ".tab")) or not stripped.startswith(("{", "[")):
        if not stripped:
            return Parsed()
        return from_csv(text)
    data = loads_limited(text, what="the file")
    if isinstance(data, dict) and "claims" in data and not _types(data):
        return from_google(data)
    return from_jsonld(data)


def parse_file(name: str, text: str) -> list[FactCheckData]:
    """The readable fact-checks of a file (``parse_document`` also says what it skipped)."""
    return [data for _, data in parse_document(name, text).items]
