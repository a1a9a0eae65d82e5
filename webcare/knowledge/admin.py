"""The Django admin's view of articles: for operators. People edit articles on the article page (/inbox/articles/,
with a live preview); both go through the same validation (``webcare.knowledge.validation``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from webcare.knowledge.models import Article
from webcare.knowledge.validation import clean_article
from webcare.tickets.actions import ActionError


class ArticleForm(forms.ModelForm):
    """Keywords as one comma-separated line, which is how people write them, stored as a list."""

    keywords = forms.CharField(required=False, help_text="Comma-separated words customers use, e.g. regning, trekk.",
                               widget=forms.TextInput(attrs={"size": 80}))

    class Meta:
        model = Article
        fields = ("organisation", "slug", "language", "section", "question", "answer", "keywords", "published")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and isinstance(self.instance.keywords, list):
            self.initial["keywords"] = ", ".join(self.instance.keywords)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            values = clean_article(slug=data.get("slug") or "", language=data.get("language") or "",
                                   question=data.get("question") or "", answer=data.get("answer") or "",
                                   section=data.get("section") or "", keywords=data.get("keywords") or "",
                                   published=bool(data.get("published")))
        except ActionError as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, exc.message)
            return data
        data.update(slug=values.slug, language=values.language, question=values.question, answer=values.answer,
                    section=values.section, keywords=list(values.keywords))
        return data


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ("question", "language", "slug", "section", "organisation", "published", "updated_at")
    list_filter = ("published", "language", "organisation")
    search_fields = ("question", "answer", "slug")
    actions = ["publish", "unpublish"]

    # updated_at moves too: the matcher's cache is keyed on it.
    @admin.action(description="Publish the selected articles")
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        queryset.update(published=True, updated_at=timezone.now())

    @admin.action(description="Unpublish the selected articles")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        queryset.update(published=False, updated_at=timezone.now())
