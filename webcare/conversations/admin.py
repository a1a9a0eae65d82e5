"""Admin pages for conversations and messages."""

from django.contrib import admin

from webcare.conversations.models import Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("sent_at", "direction", "is_public", "author_name", "text", "delivery_status")
    readonly_fields = fields
    ordering = ("sent_at", "id")
    show_change_link = True


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "customer", "last_message_at")
    list_filter = ("kind", "channel__kind", "organisation")
    search_fields = ("external_id", "subject")
    raw_id_fields = ("customer",)
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "channel", "direction", "is_public", "author_name", "sent_at", "delivery_status")
    list_filter = ("direction", "is_public", "delivery_status", "channel__kind")
    search_fields = ("external_id",)
    raw_id_fields = ("conversation", "ticket", "author_identity", "author_agent", "event")
