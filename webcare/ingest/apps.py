"""App configuration for webcare.ingest."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "webcare.ingest"
    label = "ingest"
    default_auto_field = "django.db.models.BigAutoField"
