"""App configuration for webcare.demo."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "webcare.demo"
    label = "demo"
    default_auto_field = "django.db.models.BigAutoField"
