"""App configuration for webcare.knowledge."""

from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "webcare.knowledge"
    label = "knowledge"
    default_auto_field = "django.db.models.BigAutoField"
