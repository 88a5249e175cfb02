"""Walk every page a signed-in person can reach and report what a person should never see.

The page list is discovered, not written down: starting from the person's home, every
same-site link in the page (navigation, tabs, rows) is followed, breadth first. Links that
differ only in an id (``/console/cases/case_1`` and ``/console/cases/case_2``) are one page
*shape*; a few samples of each shape are visited, so a long queue does not make the walk
long. New pages added by any domain are met without changing this file.

What counts as a fault is a general rule, not a list of known strings:

* an **internal code**: a snake_case or SCREAMING_CASE word (``partner_reporter``,
  ``DECISION_VISIBILITY_CONTENT_REMOVED``), a dotted permission (``web.portal``) or an
  opaque id (``cnt_3F9...``) in the visible text;
* an **untranslated message**: on a page in Bahasa Indonesia, a visible line that is one
  of the catalogue's English messages, or a sentence of English function words with no
  Indonesian ones.

Text a person supplied, and identifiers that are data (file names, hashes, handles, e-mail
addresses), are marked ``translate="no"`` in the templates (the HTML attribute that says
"this is not prose in the page's language"). That text is not judged for its language, but
it is judged for internal codes all the same, once the data a person copies (URLs, e-mail
addresses, handles, hashtags, hashes, ids, file names) is set aside: ``translate="no"``
marks a name or a quotation, and never hides a code from the reader. What a person must
type exactly (a CSV file's column names) is shown as ``<kbd>``, beside its meaning in words,
and is not judged; a raw view folded away in a closed ``<details>`` is not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# Every visible text node not inside <script>, <style>, hidden elements or a folded
# <details> (a raw view kept for experts; its <summary> is read), as
# [text, language, verbatim]: ``verbatim`` is true inside translate="no" (a name, user
# content, an identifier a person copies), which is judged for codes but not for language,
# and "typed" inside <kbd>: what a person must type exactly as shown (a CSV file's column
# names, a policy's code in a file), never judged.
VISIBLE_TEXT_JS = """
() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const text = node.nodeValue.replace(/\\s+/g, ' ').trim();
    if (!text) continue;
    let el = node.parentElement, below = null, skip = false;
    while (el) {
      const tag = el.tagName;
      if (tag === 'SCRIPT' || tag === 'STYLE' || tag === 'TEMPLATE' || tag === 'TEXTAREA'
          || el.hidden || el.getAttribute('aria-hidden') === 'true'
          || (tag === 'DETAILS' && !el.open && !(below && below.tagName === 'SUMMARY'))) {
        skip = true; break;
      }
      below = el;
      el = el.parentElement;
    }
    if (skip) continue;
    const parent = node.parentElement;
    if (parent && parent.tagName !== 'OPTION') {
      const style = getComputedStyle(parent);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
    }
    const owner = parent && parent.closest('[lang]');
    const verbatim = parent && parent.closest('kbd') ? 'typed'
      : !!(parent && parent.closest('[translate="no"]'));
    out.push([text, owner ? owner.getAttribute('lang') : '', verbatim]);
  }
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
    const owner = el.closest('[lang]');
    const verbatim = !!el.closest('[translate="no"]');
    for (const attr of ['title', 'aria-label', 'placeholder']) {
      const value = el.getAttribute(attr);
      if (value) out.push([value, owner ? owner.getAttribute('lang') : '', verbatim]);
    }
  }
  return out;
}
"""

LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"

SNAKE = re.compile(r"(?<![\w@./:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-]|\.\w)")
SCREAMING = re.compile(r"(?<![\w@./:-])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![\w@/-])")
DOTTED = re.compile(r"(?<![\w@./:-])[a-z]{2,}(?:\.[a-z_]{2,})+(?![\w@/-])")
OPAQUE_ID = re.compile(r"\b[a-z]{2,5}_[A-Za-z0-9]{10,}\b")
HOSTNAME = re.compile(r"(?:[a-z0-9-]+\.)+(?:id|com|org|net|go\.id|ac\.id|or\.id|co\.id|example)")
EN_WORDS = frozenset({
    "the", "is", "was", "of", "and", "to", "with", "not", "this", "be", "for", "are", "has", "have",
    "you", "your", "no", "known", "may", "must", "will", "an", "it", "its", "which"})
ID_WORDS = frozenset({
    "yang", "dan", "di", "ke", "dari", "ini", "tidak", "untuk", "dengan", "atau", "ada", "akan", "oleh",
    "pada", "telah", "belum", "sudah", "anda", "kami"})


def internal_codes(text: str) -> list[str]:
    """Words in ``text`` that look like an internal code rather than a label."""
    found: list[str] = []
    for pattern in (SNAKE, SCREAMING, OPAQUE_ID):
        found += pattern.findall(text)
    found += [d for d in DOTTED.findall(text) if not HOSTNAME.fullmatch(d)]
    return found


# Data a person reads or copies as it is, set aside before text marked translate="no" is
# judged: URLs, e-mail addresses, @handles, #hashtags, hashes, opaque ids, an API key's
# shown prefix (``sj_...``), file names.
DATA_TOKEN = re.compile(
    r"\S+://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[@#][\w][\w.-]*|\b[0-9a-fA-F]{16,}\b|\bsj_[\w-]+"
    r"|\b[a-z]{2,5}_[A-Za-z0-9]{10,}\b|[\w.-]+\.(?:png|jpe?g|gif|webp|pdf|mp4|mov|csv|json|txt|docx?|xlsx?)\b",
    re.IGNORECASE)


def verbatim_codes(text: str) -> list[str]:
    """Internal codes in text marked ``translate="no"``, its data set aside."""
    return internal_codes(DATA_TOKEN.sub(" ", text))


def english_sentence(text: str) -> bool:
    """Whether ``text`` reads as an English sentence (on a page that should be Indonesian)."""
    words = re.findall(r"[a-zA-Z]+", text.lower())
    if len(words) < 4:
        return False
    english = sum(w in EN_WORDS for w in words)
    indonesian = sum(w in ID_WORDS for w in words)
    return english >= 2 and indonesian == 0


@dataclass
class Fault:
    """One thing a person should not see, and where."""

    role: str
    lang: str
    path: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"[{self.role}/{self.lang}] {self.path}: {self.kind}: {self.text[:140]!r}"


def judge(role: str, lang: str, path: str, texts: Iterable[Sequence[Any]],
          english_messages: frozenset[str]) -> list[Fault]:
    """Faults in one page's visible text: ``(text, language, verbatim)`` rows, the language
    being the nearest ``lang`` attribute (a page in Indonesian may quote an English guide
    text marked ``lang="en"``; that is not an untranslated message) and ``verbatim`` true
    inside ``translate="no"`` (judged for codes, its data aside, never for language)."""
    faults: list[Fault] = []
    for row in texts:
        text, text_lang = row[0], row[1]
        if len(row) > 2 and row[2] == "typed":
            continue
        verbatim = bool(row[2]) if len(row) > 2 else False
        for code in (verbatim_codes(text) if verbatim else internal_codes(text)):
            kind = "internal code marked translate=no" if verbatim else "internal code"
            faults.append(Fault(role, lang, path, f"{kind} {code!r}", text))
        if verbatim:
            continue
        if (text_lang or lang) == "id" and (text in english_messages or english_sentence(text)):
            faults.append(Fault(role, lang, path, "untranslated", text))
    return faults


ID_SEGMENT = re.compile(r"^(?:[a-z]{2,5}_[A-Za-z0-9]+|\d+|[0-9a-f]{16,})$")


def shape(path: str) -> str:
    """A path with its data segments replaced (ids, numbered names such as ``pemilu-2024``,
    anything below the third level), so one page shape is visited a few times only."""
    out = []
    for depth, seg in enumerate(path.split("/")):
        if depth > 3:
            out.append("*")
        elif ID_SEGMENT.match(seg) or re.search(r"\d", seg):
            out.append("{id}")
        else:
            out.append(seg)
    return "/".join(out)


@dataclass
class Walk:
    """The pages visited by one person, in the order met."""

    visited: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)


SKIP_PREFIXES = ("/static/", "/api/", "/logout", "/login", "/healthz", "/metrics", "/docs", "/openapi")


def same_site_paths(base: str, current: str, hrefs: Iterable[str]) -> list[str]:
    """The site-relative paths among a page's links (no downloads, no API, no sign-out)."""
    out = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(href)
        if parts.netloc and parts.netloc != urlsplit(base).netloc:
            continue
        path = parts.path or urlsplit(current).path
        if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
            continue
        if "/download" in path or "/evidence/" in path or re.search(r"\.(csv|json|png|pdf|jpg|mp4)$", path):
            continue
        query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("lang="))
        out.append(path + ("?" + query if query else ""))
    return out


def crawl(page: Any, base: str, role: str, lang: str, english_messages: frozenset[str],
          per_shape: int = 1, limit: int = 60, on_page: Any = None,
          shared: dict[str, int] | None = None) -> Walk:
    """Visit every page reachable from the signed-in person's home; judge each one.

    The person's own navigation (their home and the fixed pages it links to) is always
    walked; a page whose path holds data (an id, a name with a number) is walked
    ``per_shape`` times per shape, counted in ``shared`` across the walks that pass the
    same dict (so the second role to reach ``/guide/{id}`` does not read it again).
    ``on_page(path)`` runs on each page after it is judged (e.g. an accessibility check)."""
    walk = Walk()
    counts = shared if shared is not None else {}
    queue: list[tuple[str, int]] = [("/", 0)]
    seen: set[str] = set()
    while queue and len(walk.visited) < limit:
        path, depth = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        key = shape(path.split("?")[0])
        fixed = depth <= 1 and "{id}" not in key and "*" not in key and "?" not in path
        if not fixed:
            if counts.get(key, 0) >= per_shape:
                continue
            counts[key] = counts.get(key, 0) + 1
        response = page.goto(base + path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if response.status >= 400:
            walk.faults.append(Fault(role, lang, path, f"HTTP {response.status}", page.title()))
        landed = urlsplit(page.url).path
        walk.visited.append(landed if path == "/" else path)
        walk.faults += judge(role, lang, path, page.evaluate(VISIBLE_TEXT_JS), english_messages)
        if on_page is not None:
            on_page(path)
        for link in same_site_paths(base, page.url, page.evaluate(LINKS_JS)):
            if link not in seen:
                queue.append((link, depth + 1))
    return walk
