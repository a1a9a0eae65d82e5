"""The only writers of articles on behalf of people: save (create or change) and publish/unpublish.

Why here and not in a form: the article page, the Django admin and the loader must refuse the same things
(``webcare.knowledge.validation``), each refusal an :class:`~webcare.tickets.actions.ActionError` naming the field, with
nothing half-stored. Supervisors and admins write; everybody in the organisation reads. Every write moves
``updated_at``, which is what tells each process's matcher cache (``webcare.knowledge.index``) to rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.db import IntegrityError, transaction
from django.utils import timezone

from webcare.core.models import Agent, Role
from webcare.knowledge.models import Article
from webcare.knowledge.validation import ArticleValues, clean_article
from webcare.tickets.actions import ActionError

#: Who may write articles; agents and analysts read them (and link to them).
MANAGING_ROLES: Final = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class ArticleInput:
    """What a person typed on the article page."""

    slug: str
    language: str
    question: str
    answer: str
    section: str = ""
    keywords: str = ""
    published: bool = False


def can_manage(agent: Agent) -> bool:
    return agent.role in MANAGING_ROLES


def _require_manager(agent: Agent) -> None:
    if not can_manage(agent):
        raise ActionError("role", "only supervisors and admins can change articles")


def clean(data: ArticleInput) -> ArticleValues:
    return clean_article(slug=data.slug, language=data.language, question=data.question, answer=data.answer,
                         section=data.section, keywords=data.keywords, published=data.published)


def do_save_article(agent: Agent, data: ArticleInput, article: Article | None = None) -> Article:
    """Create an article (``article`` None) or change one of the agent's organisation; ActionError names the field."""
    _require_manager(agent)
    if article is not None and article.organisation_id != agent.organisation_id:
        raise ActionError("article", "no such article")
    values = clean(data)
    clash = Article.objects.filter(organisation_id=agent.organisation_id, slug=values.slug, language=values.language)
    if article is not None:
        clash = clash.exclude(pk=article.pk)
    if clash.exists():
        raise ActionError("slug", f"an article {values.slug!r} in {values.language!r} already exists; edit that one, "
                                  "or choose another slug or language")
    row = article or Article(organisation_id=agent.organisation_id)
    row.slug, row.language, row.section = values.slug, values.language, values.section
    row.question, row.answer, row.keywords = values.question, values.answer, list(values.keywords)
    row.published = values.published
    row.updated_by = agent.user
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:  # a colleague saved the same slug and language at the same moment
        raise ActionError("slug", f"an article {values.slug!r} in {values.language!r} already exists") from exc
    return row


def do_set_published(agent: Agent, article: Article, published: bool) -> Article:
    """Publish (shown on the help page, in the chat and the composer) or unpublish (kept, shown nowhere)."""
    _require_manager(agent)
    if article.organisation_id != agent.organisation_id:
        raise ActionError("article", "no such article")
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(published=published, updated_at=timezone.now(),
                                                     updated_by=agent.user)
    article.refresh_from_db()
    return article
