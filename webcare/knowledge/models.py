"""The knowledge base: FAQ articles per organisation, in the languages the brand answers in.

One row is one question and its answer (Markdown) in one language; the same ``slug`` in several languages is one
article translated, so a customer sees it once, in their language, and an agent's link (``/help/<org>/<slug>/``)
names the article whatever the language. The web chat, the public help page and the agents' composer all suggest
from the published rows through one matcher (``webcare.knowledge.faq``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from webcare.core.models import Organisation, slug_validator
from webcare.knowledge.validation import MAX_ANSWER, MAX_QUESTION, MAX_SECTION

__all__ = ["MAX_ANSWER", "MAX_QUESTION", "MAX_SECTION", "Article"]


class Article(models.Model):
    """One question and its answer in one language."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="articles")
    #: Names the article across its translations, in its public URL and across re-loads of the same file.
    slug = models.SlugField(max_length=63, validators=[slug_validator])
    #: ISO 639-1 code (Norwegian bokmål as nb, nynorsk as nn).
    language = models.CharField(max_length=8)
    #: The group the help page shows it under, in the article's language ("Faktura og betaling").
    section = models.CharField(max_length=MAX_SECTION, blank=True)
    question = models.CharField(max_length=MAX_QUESTION)
    #: Markdown (CommonMark, no raw HTML): rendered and sanitised by ``webcare.knowledge.render``.
    answer = models.TextField(max_length=MAX_ANSWER)
    #: Words customers use that the question does not ("regning" beside "faktura"); they weigh double in matching.
    keywords = models.JSONField(default=list, blank=True)
    published = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    #: Who saved it last from the article page (empty for files and the demo).
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug", "language"], name="article_unique_per_language"),
        ]
        indexes = [models.Index(fields=["organisation", "published"], name="article_org_published")]
        ordering = ["organisation_id", "slug", "language"]

    def __str__(self) -> str:
        return f"{self.question} ({self.language})"

    def save(self, *args: object, **kwargs: object) -> None:
        # The matcher's cache is keyed on the newest updated_at, so every save must move it.
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)  # type: ignore[arg-type]
