"""App configuration for webcare.channels."""

from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "webcare.channels"
    label = "channels"
    default_auto_field = "django.db.models.BigAutoField"
