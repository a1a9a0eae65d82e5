"""App configuration for webcare.live."""

from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "webcare.live"
    label = "live"
    default_auto_field = "django.db.models.BigAutoField"
