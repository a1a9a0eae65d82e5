"""App configuration for webcare.search: one search over every channel."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "webcare.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"
