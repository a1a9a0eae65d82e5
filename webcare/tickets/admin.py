"""Admin pages for tickets with their notes, links and timeline."""

from django.contrib import admin

from webcare.tickets.models import Label, Note, Ticket, TicketEvent, TicketLink


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    fields = ("created_at", "author", "text")


class EventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = ("at", "kind", "field", "old", "new", "actor")
    readonly_fields = fields
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("id", "subject", "status", "priority", "assignee", "team", "waiting_since", "updated_at")
    list_filter = ("status", "priority", "team", "organisation", "conversation__channel__kind")
    search_fields = ("subject",)
    raw_id_fields = ("conversation", "customer", "assignee")
    filter_horizontal = ("labels",)
    inlines = [NoteInline, EventInline]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation")


@admin.register(TicketLink)
class TicketLinkAdmin(admin.ModelAdmin):
    list_display = ("from_ticket", "kind", "to_ticket", "created_at")
    raw_id_fields = ("from_ticket", "to_ticket")
