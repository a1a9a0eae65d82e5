"""App configuration for webcare.importers."""

from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "webcare.importers"
    label = "importers"
    default_auto_field = "django.db.models.BigAutoField"
