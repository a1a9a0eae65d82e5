"""The knowledge base: short FAQ articles per organisation, in the languages the brand answers in.

The web chat shows published articles while a customer types (``webcare.knowledge.faq``); the search issue will make
the matching smart, this model stays. The same ``slug`` in several languages is one article translated, so a customer
sees it once, in their language.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from webcare.core.models import Organisation, slug_validator

MAX_QUESTION = 300
MAX_ANSWER = 4000


class Article(models.Model):
    """One question and its answer in one language."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="articles")
    #: Names the article across its translations and across re-loads of the same file.
    slug = models.SlugField(max_length=63, validators=[slug_validator])
    #: ISO 639-1 code (Norwegian bokmål as nb).
    language = models.CharField(max_length=8)
    question = models.CharField(max_length=MAX_QUESTION)
    answer = models.TextField(max_length=MAX_ANSWER)
    #: Words customers use that the question does not ("regning" beside "faktura"); they weigh double in matching.
    keywords = models.JSONField(default=list, blank=True)
    published = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

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
