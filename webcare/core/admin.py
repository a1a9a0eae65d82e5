"""Admin pages for organisations, channels (credentials are write-only), agents, teams and API tokens."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from webcare.audit import events as audit_events
from webcare.core.models import Agent, ApiToken, Channel, Organisation, Team


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone", "created_at")
    search_fields = ("name", "slug")


class ChannelForm(forms.ModelForm):
    """Credentials are typed in as JSON and stored encrypted; the stored value is never shown back."""

    new_credentials = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text='JSON object, e.g. {"access_token": "…"}. Leave empty to keep the stored credentials.',
    )

    class Meta:
        model = Channel
        fields = ("organisation", "kind", "slug", "name", "settings", "is_active")

    def clean_new_credentials(self) -> dict[str, Any] | None:
        raw = self.cleaned_data["new_credentials"].strip()
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("Credentials must be a JSON object.")
        return value


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ("name", "kind", "organisation", "is_active", "has_credentials")
    list_filter = ("kind", "is_active", "organisation")
    search_fields = ("name", "slug")

    @admin.display(boolean=True, description="credentials")
    def has_credentials(self, obj: Channel) -> bool:
        return bool(obj.credentials_encrypted)

    def save_model(self, request: HttpRequest, obj: Channel, form: Any, change: bool) -> None:
        new = form.cleaned_data.get("new_credentials")
        if new is not None:
            obj.set_credentials(new)
        super().save_model(request, obj, form, change)
        if new is not None:
            audit_events.channel_credentials(obj, request.user, "changed" if change else "connected", new,
                                             request=request)


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role")
    list_filter = ("role", "organisation")

    def save_model(self, request: HttpRequest, obj: Agent, form: Any, change: bool) -> None:
        old_role = Agent.objects.filter(pk=obj.pk).values_list("role", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        if not change:
            audit_events.agent_created(obj, request.user, request=request)
        elif old_role is not None:
            audit_events.agent_changed(obj, request.user, old_role=old_role, was_active=True, is_active=True,
                                       request=request)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "signature")
    filter_horizontal = ("members",)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        before = list(form.instance.members.values_list("pk", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        audit_events.team_members_changed(form.instance, request.user, before, form.instance.members.all(),
                                          created=not change, request=request)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "organisation", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    fields = ("organisation", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            was_revoked = ApiToken.objects.filter(pk=obj.pk, revoked_at__isnull=False).exists()
            super().save_model(request, obj, form, change)
            if was_revoked != (obj.revoked_at is not None):
                audit_events.token_revoked(obj, request.user, how="restored" if was_revoked else "revoked",
                                           request=request)
            return
        token, plain = ApiToken.issue(obj.organisation, obj.name, created_by=request.user)
        obj.pk, obj.prefix, obj.token_hash = token.pk, token.prefix, token.token_hash
        audit_events.token_created(token, request.user, request=request)
        messages.warning(request, f"The new token, shown only now: {plain}")

    def delete_model(self, request: HttpRequest, obj: ApiToken) -> None:
        audit_events.token_revoked(obj, request.user, how="deleted", request=request)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            audit_events.token_revoked(token, request.user, how="deleted", request=request)
        super().delete_queryset(request, queryset)
