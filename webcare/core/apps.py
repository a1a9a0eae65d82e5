"""App configuration for webcare.core."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "webcare.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"
