"""Guide Markdown to safe HTML.

Two layers, so one mistake does not open a hole: markdown-it drops every piece of raw HTML
an editor writes and refuses ``javascript:``-style links; nh3 then keeps only an allowlist
of tags, attributes and URL schemes. Images are not allowed at all: the guide stays text
only (no candidate photos or party logos).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def _drop(_self: Any, _tokens: Sequence[Token], _idx: int, _options: Any, _env: Any) -> str:
    return ""


def _image_as_text(_self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    # No pictures in the guide: an image shows as its description only.
    return escapeHtml(tokens[idx].content)


def _safe_href(href: str) -> bool:
    """Relative links, anchors and the allowed schemes only (control characters and case
    tricks such as ``JaVa\tScript:`` cannot hide a scheme)."""
    cleaned = "".join(ch for ch in href if ch > " ").lower()
    if cleaned.startswith(("/", "#", "?")) and not cleaned.startswith("//"):
        return True
    scheme, sep, _rest = cleaned.partition(":")
    return bool(sep) and scheme in URL_SCHEMES


def _link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    # A link with a refused scheme keeps its text and loses its target.
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if not _safe_href(href):
        token.attrs.pop("href", None)
    rendered: str = self.renderToken(tokens, idx, options, env)
    return rendered


def _heading_open(_self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    # The page owns <h1>; an editor's top-level heading becomes <h2>.
    level = max(2, min(4, int(tokens[idx].tag[1]) + 1))
    return f"<h{level}>"


def _heading_close(_self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    level = max(2, min(4, int(tokens[idx].tag[1]) + 1))
    return f"</h{level}>\n"


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("table")
    md.add_render_rule("image", _image_as_text)
    md.add_render_rule("link_open", _link_open)
    # Parse every link so a refused one shows as its text, not as literal Markdown.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    for rule in ("html_block", "html_inline"):
        md.add_render_rule(rule, _drop)
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    return md


_MD = _parser()


@lru_cache(maxsize=2048)
def render_markdown(source: str) -> str:
    """Sanitised HTML for an editor's Markdown; safe to insert into a page unescaped."""
    html = _MD.render(source or "")
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def plain_text(source: str, limit: int = 300) -> str:
    """A short plain-text summary of Markdown (for meta descriptions and the app)."""
    text = nh3.clean(render_markdown(source), tags=set())
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
