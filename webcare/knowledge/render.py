"""An article's answer, written in Markdown, as safe HTML for the help page and as plain text for replies and chat.

Why both: the help page shows the answer formatted (lists, links, emphasis), while a reply on X or WhatsApp and the
web chat widget (which only ever sets ``textContent``) need plain text, with each link written out so the customer can
still follow it.

Safety, in two layers, because articles are written by people who may paste anything:

1. **markdown-it-py** in CommonMark mode (plus tables and strikethrough) with raw HTML **off**: ``<script>`` in an
   article is shown as text, never parsed. Its link validation already refuses ``javascript:``, ``vbscript:``,
   ``file:`` and ``data:`` URLs. Images are kept only when they come from the desk itself (a path starting with one
   ``/``): an image from elsewhere would tell another site who reads the page (and the content-security policy would
   block it anyway), so it is shown as its alt text. Headings move down one level (the article's question is the
   page's ``<h1>``).
2. **nh3** (ammonia) over the result with an allow-list of tags and attributes and the schemes http, https, mailto and
   tel: whatever slipped through the first layer cannot carry script. Every link gets ``rel="noopener nofollow"``.

Pure functions, no Django.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "img",
    "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"},
                      "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
LINK_REL = "noopener nofollow"


def local_path(url: str) -> bool:
    """A path on the desk itself (``/static/…``), not ``//other.site/…`` nor a full URL."""
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def _render_image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if local_path(src):
        return str(self.image(tokens, idx, options, env))
    # An image from elsewhere: its alt text, escaped like any text.
    alt = self.renderInlineAsText(token.children or [], options, env)
    return nh3.clean_text(alt)


def _shift_heading(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    level = min(6, int(token.tag[1]) + 1)
    token.tag = f"h{level}"
    return str(self.renderToken(tokens, idx, options, env))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    parser.add_render_rule("image", _render_image)
    parser.add_render_rule("heading_open", _shift_heading)
    parser.add_render_rule("heading_close", _shift_heading)
    return parser


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not local_path(value):
        return None
    return value


def sanitise(html: str) -> str:
    """``html`` with only the allowed tags, attributes and URL schemes left (the second layer)."""
    return nh3.clean(html, tags=set(ALLOWED_TAGS), attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), link_rel=LINK_REL, attribute_filter=_attribute_filter,
                     clean_content_tags={"script", "style"})


def to_html(markdown: str) -> str:
    """The answer as safe HTML (both layers)."""
    return sanitise(_parser().render(markdown))


_BLANK_LINES = re.compile(r"\n{3,}")


def to_plain(markdown: str, *, links: bool = True) -> str:
    """The answer as plain text: paragraphs apart by a blank line, list items as "- " or "1. ", a link as
    "text (url)" (just the url when the text is the url; only the text with ``links=False``), emphasis and code
    marks dropped, images as their alt text."""
    tokens = _parser().parse(markdown)
    out: list[str] = []
    lists: list[list[int]] = []  # per open list: [next number] for ordered lists, [] for bullets
    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([int(token.attrGet("start") or 1)] if kind == "ordered_list_open" else [])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                out.append("\n")
        elif kind == "list_item_open":
            marker = "- "
            if lists and lists[-1]:
                marker = f"{lists[-1][0]}. "
                lists[-1][0] += 1
            out.append("  " * (len(lists) - 1) + marker)
        elif kind == "inline":
            out.append(_inline_text(token.children or [], links))
        elif kind in ("paragraph_close", "heading_close"):
            out.append("\n" if lists else "\n\n")
        elif kind in ("fence", "code_block"):
            out.append(token.content.rstrip("\n") + "\n\n")
        elif kind in ("hr", "tr_close"):
            out.append("\n")
        elif kind in ("th_open", "td_open") and out and not out[-1].endswith("\n"):
            out.append(" | ")
        elif kind == "table_close":
            out.append("\n")
    text = "".join(out)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _inline_text(children: list[Token], links: bool = True) -> str:
    parts: list[str] = []
    href_stack: list[tuple[str, int]] = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak",):
            parts.append(" ")
        elif kind == "hardbreak":
            parts.append("\n")
        elif kind == "image":
            parts.append(child.content or "".join(c.content for c in child.children or []))
        elif kind == "link_open":
            href_stack.append((str(child.attrGet("href") or ""), len(parts)))
        elif kind == "link_close" and href_stack:
            href, start = href_stack.pop()
            label = "".join(parts[start:])
            shown = href.removeprefix("mailto:").removeprefix("tel:")
            if links and href and label.strip() != shown:
                parts.append(f" ({shown})")
    return "".join(parts)


def snippet(markdown: str, limit: int = 700) -> str:
    """The plain text cut at a sentence (or word) end within ``limit`` characters: what the composer inserts."""
    return _cut(to_plain(markdown), limit)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind(".\n"), cut.rfind("! "), cut.rfind("? "))
    if end >= limit // 2:
        return cut[: end + 1]
    return cut[: cut.rfind(" ")].rstrip(",;:") + " …"


def excerpt(markdown: str, limit: int = 180) -> str:
    """One line of the answer for a list of search results: plain text without list markers, link addresses or line
    breaks, cut like :func:`snippet`."""
    lines = [re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line) for line in to_plain(markdown, links=False).splitlines()]
    return _cut(" ".join(line.strip() for line in lines if line.strip()), limit)
