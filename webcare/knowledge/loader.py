"""Load FAQ articles from files into an organisation's knowledge base, and export them back to files.

Two formats, because teams keep FAQs in two ways:

- **Markdown with front matter** (for teams keeping the FAQ in git, one reviewable text per article or per language):
  each article starts with a block of ``key: value`` lines between two ``---`` lines, then the answer in Markdown::

      ---
      slug: lost-phone
      language: nb
      section: Mobil
      question: Jeg har mistet telefonen – hvordan sperrer jeg SIM-kortet?
      keywords: mistet, stjålet, sperre, simkort
      published: true
      ---
      Logg inn på **Min side** …

  A file may hold several articles (a new one starts where a ``---`` line is followed by ``slug:``); a directory is
  read recursively (``*.md``, in name order). ``webcare articles --export DIR`` writes ``DIR/<language>/<slug>.md``.
- **JSON**: ``{"articles": [...]}`` (or just the list), each ``{slug, language, section, question, answer, keywords,
  published}`` — what scripts produce.

Articles are matched on (slug, language): loading the same files again changes nothing, a changed text updates the
article, and articles not in the files are left alone. Everything is validated first (the rules of
``webcare.knowledge.validation``, as on the article page) and stored in one transaction, so a mistake in article 7
stores nothing and names article 7 and its field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from webcare.core.models import Organisation
from webcare.knowledge.models import Article
from webcare.knowledge.validation import ArticleValues, clean_article
from webcare.tickets.actions import ActionError

#: The Fjordnett demo FAQ: one Markdown file per language (a directory; the name is kept from when it was one file).
DEMO_FILE = Path(__file__).with_name("demo_articles")
DEMO_DIR = DEMO_FILE

FIELDS = ("slug", "language", "section", "question", "keywords", "published")
_KEY_LINE = re.compile(r"^([a-z_]+)\s*:\s*(.*)$")
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


class LoadError(ValueError):
    """The files cannot be loaded; the message names the file or article and the field."""


@dataclass
class Loaded:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class RawArticle:
    """One article as read from a file, before validation, with where it came from (for error messages)."""

    where: str
    values: dict[str, Any]


# -- reading --------------------------------------------------------------------------------------------------------

def parse_markdown(text: str, source: str = "") -> list[RawArticle]:
    """The articles of one Markdown file (pure). Raises LoadError naming ``source`` and the line."""
    lines = text.replace("\r\n", "\n").split("\n")
    starts = [i for i, line in enumerate(lines)
              if line.strip() == "---" and i + 1 < len(lines) and lines[i + 1].startswith("slug:")]
    prefix = "\n".join(lines[: starts[0]] if starts else lines).strip()
    if not starts or prefix:
        first = next((n for n, line in enumerate(lines, 1) if line.strip()), 1)
        raise LoadError(f"{source}:{first}: expected an article starting with a '---' line and then 'slug: …'")
    articles = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        values: dict[str, Any] = {}
        close = None
        for offset, line in enumerate(lines[start + 1: end], start + 1):
            if line.strip() == "---":
                close = offset
                break
            if not line.strip():
                break  # the front matter is one block of lines: a blank line means the closing '---' is missing
            match = _KEY_LINE.match(line)
            if not match:
                raise LoadError(f"{source}:{offset + 1}: expected 'key: value' in the front matter, not {line[:40]!r}")
            key, value = match.group(1), match.group(2).strip()
            if key not in FIELDS:
                raise LoadError(f"{source}:{offset + 1}: {key}: unknown field; use {', '.join(FIELDS)}")
            if key in values:
                raise LoadError(f"{source}:{offset + 1}: {key}: given twice")
            if key == "published":
                if value.lower() not in _TRUE | _FALSE:
                    raise LoadError(f"{source}:{offset + 1}: published: write true or false, not {value[:20]!r}")
                values[key] = value.lower() in _TRUE
            else:
                values[key] = value
        if close is None:
            raise LoadError(f"{source}:{start + 1}: the front matter has no closing '---' line")
        values["answer"] = "\n".join(lines[close + 1: end]).strip()
        articles.append(RawArticle(f"{source}:{start + 1} ({values.get('slug', '?')})", values))
    return articles


def read_path(path: Path) -> list[RawArticle]:
    """The articles of a JSON file, a Markdown file, or a directory of Markdown files."""
    try:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.md") if p.is_file())
            if not files:
                raise LoadError(f"{path}: no .md files in this directory")
            found: list[RawArticle] = []
            for file in files:
                found += parse_markdown(file.read_text(encoding="utf-8"), str(file.relative_to(path)))
            return found
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"{path}: {exc}") from exc
    if path.suffix.lower() in (".md", ".markdown"):
        return parse_markdown(text, path.name)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{path}: {exc}") from exc
    return from_json(data)


def from_json(data: Any) -> list[RawArticle]:
    rows = data.get("articles") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise LoadError('expected a list of articles, or an object with an "articles" list')
    found = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise LoadError(f"article {index}: expected an object with slug, language, question and answer")
        found.append(RawArticle(f"article {index}", row))
    return found


def validate(raw: Iterable[RawArticle]) -> list[ArticleValues]:
    """Every article checked by the shared rules; the first fault raises LoadError naming the article and field."""
    cleaned: list[ArticleValues] = []
    seen: dict[tuple[str, str], str] = {}
    for article in raw:
        values = article.values
        unknown = sorted(set(values) - {*FIELDS, "answer"})
        if unknown:
            raise LoadError(f"{article.where}: {unknown[0]}: unknown field")
        for name in ("slug", "language", "question", "answer", "section"):
            if name in values and not isinstance(values[name], str):
                raise LoadError(f"{article.where}: {name}: must be text")
        keywords = values.get("keywords", [])
        if not isinstance(keywords, (str, list)) or (isinstance(keywords, list)
                                                      and not all(isinstance(k, str) for k in keywords)):
            raise LoadError(f"{article.where}: keywords: must be a list of words or one comma-separated line")
        published = values.get("published", True)
        if not isinstance(published, bool):
            raise LoadError(f"{article.where}: published: must be true or false")
        try:
            clean = clean_article(slug=values.get("slug", ""), language=values.get("language", ""),
                                  question=values.get("question", ""), answer=values.get("answer", ""),
                                  section=values.get("section", ""), keywords=keywords, published=published)
        except ActionError as exc:
            raise LoadError(f"{article.where}: {exc.field}: {exc.message}") from exc
        key = (clean.slug, clean.language)
        if key in seen:
            raise LoadError(f"{article.where}: slug {clean.slug!r} in {clean.language!r} appears twice "
                            f"(also {seen[key]})")
        seen[key] = article.where
        cleaned.append(clean)
    return cleaned


# -- storing --------------------------------------------------------------------------------------------------------

def store(organisation: Organisation, articles: list[ArticleValues]) -> Loaded:
    """Create or update the organisation's articles; all or nothing."""
    result = Loaded()
    names = ("section", "question", "answer", "keywords", "published")
    with transaction.atomic():
        existing = {(a.slug, a.language): a for a in Article.objects.filter(organisation=organisation)}
        for article in articles:
            values = {"section": article.section, "question": article.question, "answer": article.answer,
                      "keywords": list(article.keywords), "published": article.published}
            row = existing.get((article.slug, article.language))
            if row is None:
                Article.objects.create(organisation=organisation, slug=article.slug, language=article.language,
                                       **values)
                result.created += 1
            elif any(getattr(row, name) != values[name] for name in names):
                for name in names:
                    setattr(row, name, values[name])
                row.save()
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def load_articles(organisation: Organisation, data: Any) -> Loaded:
    """Create or update the organisation's articles from parsed JSON ``data``; all or nothing."""
    return store(organisation, validate(from_json(data)))


def load_file(organisation: Organisation, path: Path) -> Loaded:
    """:func:`load_articles` from a JSON file, a Markdown file or a directory of them."""
    return store(organisation, validate(read_path(path)))


# -- writing --------------------------------------------------------------------------------------------------------

def to_markdown(article: Article) -> str:
    """One article in the front-matter format (what :func:`parse_markdown` reads back unchanged)."""
    head = [
        "---",
        f"slug: {article.slug}",
        f"language: {article.language}",
        f"section: {article.section}",
        f"question: {article.question}",
        f"keywords: {', '.join(str(k) for k in article.keywords or [])}",
        f"published: {'true' if article.published else 'false'}",
        "---",
    ]
    return "\n".join(head) + "\n" + article.answer.strip() + "\n"


def export_articles(organisation: Organisation, directory: Path) -> int:
    """Write every article of the organisation to ``directory/<language>/<slug>.md``; the number written."""
    count = 0
    for article in Article.objects.filter(organisation=organisation).order_by("language", "slug"):
        target = directory / article.language / f"{article.slug}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(to_markdown(article), encoding="utf-8")
        count += 1
    return count
