"""Admin page for canned responses (supervisors also have /inbox/canned/); the same variable check as the inbox."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from webcare.replies import variables
from webcare.replies.models import CannedResponse


class CannedResponseForm(forms.ModelForm):
    class Meta:
        model = CannedResponse
        fields = ("organisation", "title", "body", "language", "team", "is_active", "created_by")

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        unknown = variables.check(body)
        if unknown:
            raise forms.ValidationError(
                f"unknown variable {variables.placeholder(unknown[0])}; use {variables.known_list()}")
        return body


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    form = CannedResponseForm
    list_display = ("title", "language", "team", "organisation", "is_active", "updated_at")
    list_filter = ("is_active", "language", "organisation")
    search_fields = ("title", "body")
    raw_id_fields = ("created_by",)
