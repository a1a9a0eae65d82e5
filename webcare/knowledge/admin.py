"""Admin pages for the knowledge base: agents with admin access edit the FAQ the web chat suggests from."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from webcare.knowledge.models import Article


class ArticleForm(forms.ModelForm):
    """Keywords as one comma-separated line, which is how people write them, stored as a list."""

    keywords = forms.CharField(required=False, help_text="Comma-separated words customers use, e.g. regning, trekk.",
                               widget=forms.TextInput(attrs={"size": 80}))

    class Meta:
        model = Article
        fields = ("organisation", "slug", "language", "question", "answer", "keywords", "published")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self.instance.pk and isinstance(self.instance.keywords, list):
            self.initial["keywords"] = ", ".join(self.instance.keywords)

    def clean_keywords(self) -> list[str]:
        raw: str = self.cleaned_data.get("keywords") or ""
        return [word.strip() for word in raw.split(",") if word.strip()]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ("question", "language", "slug", "organisation", "published", "updated_at")
    list_filter = ("published", "language", "organisation")
    search_fields = ("question", "answer", "slug")
    actions = ["publish", "unpublish"]

    # updated_at moves too: the web chat's matcher cache is keyed on it.
    @admin.action(description="Publish the selected articles")
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        queryset.update(published=True, updated_at=timezone.now())

    @admin.action(description="Unpublish the selected articles")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        queryset.update(published=False, updated_at=timezone.now())
