"""App configuration for webcare.inbox."""

from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "webcare.inbox"
    label = "inbox"
    default_auto_field = "django.db.models.BigAutoField"
