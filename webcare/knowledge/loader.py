"""Load FAQ articles from a JSON file into an organisation's knowledge base.

The file is ``{"articles": [...]}`` (or just the list), each article ``{"slug", "language", "question", "answer",
"keywords": [...], "published": true}``. Articles are matched on (slug, language): loading the same file again
changes nothing, a changed text updates the article, and articles not in the file are left alone. The whole file is
validated first and stored in one transaction, so a mistake in article 7 stores nothing and names article 7's field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from webcare.core.models import Organisation
from webcare.knowledge.models import MAX_ANSWER, MAX_QUESTION, Article

DEMO_FILE = Path(__file__).with_name("demo_articles.json")


class LoadError(ValueError):
    """The file cannot be loaded; the message names the article and field."""


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str = Field(min_length=1, max_length=63, pattern=r"^[a-z0-9][a-z0-9-]*$")
    language: str = Field(min_length=2, max_length=8)
    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    answer: str = Field(min_length=1, max_length=MAX_ANSWER)
    keywords: list[str] = Field(default_factory=list, max_length=50)
    published: bool = True

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        known = [code for code, _ in settings.LANGUAGES] + ["nn"]
        if value not in known:
            raise ValueError(f"unknown language {value!r}; use one of {', '.join(known)}")
        return value


@dataclass
class Loaded:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _articles(data: Any) -> list[ArticleIn]:
    rows = data.get("articles") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise LoadError('expected a list of articles, or an object with an "articles" list')
    parsed: list[ArticleIn] = []
    seen: set[tuple[str, str]] = set()
    for index, row in enumerate(rows):
        try:
            article = ArticleIn.model_validate(row)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "article"
            raise LoadError(f"article {index}: {where}: {error['msg']}") from exc
        key = (article.slug, article.language)
        if key in seen:
            raise LoadError(f"article {index}: slug {article.slug!r} in {article.language!r} appears twice")
        seen.add(key)
        parsed.append(article)
    return parsed


def load_articles(organisation: Organisation, data: Any) -> Loaded:
    """Create or update the organisation's articles from parsed JSON ``data``; all or nothing."""
    articles = _articles(data)
    result = Loaded()
    fields = ("question", "answer", "keywords", "published")
    with transaction.atomic():
        existing = {(a.slug, a.language): a for a in Article.objects.filter(organisation=organisation)}
        for article in articles:
            values = article.model_dump()
            row = existing.get((article.slug, article.language))
            if row is None:
                Article.objects.create(organisation=organisation, **values)
                result.created += 1
            elif any(getattr(row, name) != values[name] for name in fields):
                for name in fields:
                    setattr(row, name, values[name])
                row.updated_at = timezone.now()
                row.save()
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def load_file(organisation: Organisation, path: Path) -> Loaded:
    """:func:`load_articles` from a file, with a :class:`LoadError` naming the file when it is not JSON."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LoadError(f"{path}: {exc}") from exc
    return load_articles(organisation, data)
