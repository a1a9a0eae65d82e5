"""App configuration for webcare.staff."""

from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "webcare.staff"
    label = "staff"
    default_auto_field = "django.db.models.BigAutoField"
