"""App configuration for webcare.conversations."""

from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "webcare.conversations"
    label = "conversations"
    default_auto_field = "django.db.models.BigAutoField"
