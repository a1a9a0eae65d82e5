"""Admin page for inbound events: dead letters are listed with their error and can be retried."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from webcare.ingest.models import EventStatus, InboundEvent
from webcare.ingest.retry import retry_dead


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "source", "status", "attempts", "received_at", "short_error")
    list_filter = ("status", "source", "channel__kind")
    search_fields = ("external_id",)
    readonly_fields = ("organisation", "channel", "source", "format", "external_id", "payload", "received_at",
                       "status", "attempts", "next_attempt_at", "last_error", "processed_at")
    actions = ["retry"]

    @admin.display(description="error")
    def short_error(self, obj: InboundEvent) -> str:
        return obj.last_error[:100]

    @admin.action(description="Retry the selected dead-lettered events")
    def retry(self, request: HttpRequest, queryset: QuerySet[InboundEvent]) -> None:
        ids = list(queryset.filter(status=EventStatus.DEAD).values_list("pk", flat=True))
        count = retry_dead(ids)
        messages.success(request, f"{count} events sent back to the worker.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
