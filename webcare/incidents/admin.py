"""Admin pages for incidents: read-only views of what the watcher found and what the desk sent (changes go through
the incident pages, webcare/incidents/actions.py), and the watcher's lease."""

from django.contrib import admin

from webcare.incidents.models import ChoirLease, Incident, IncidentUpdate


class UpdateInline(admin.TabularInline):
    model = IncidentUpdate
    extra = 0
    fields = ("at", "kind", "actor", "sent", "skipped")
    readonly_fields = fields
    can_delete = False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "status", "organisation", "started_at", "detected_at", "message_count",
                    "ticket_count")
    list_filter = ("status", "organisation")
    search_fields = ("title",)
    readonly_fields = ("organisation", "terms", "started_at", "detected_at", "resolved_at", "resolved_by",
                       "languages", "channels", "message_count", "ticket_count", "customer_count", "rate_per_hour",
                       "baseline_per_hour", "peak_rate_per_hour", "updated_at")
    inlines = [UpdateInline]


@admin.register(ChoirLease)
class ChoirLeaseAdmin(admin.ModelAdmin):
    list_display = ("organisation", "holder", "expires_at", "generation", "cursor", "updated_at")
    readonly_fields = list_display
