"""App configuration for webcare.webchat."""

from django.apps import AppConfig


class WebchatConfig(AppConfig):
    name = "webcare.webchat"
    label = "webchat"
    default_auto_field = "django.db.models.BigAutoField"
