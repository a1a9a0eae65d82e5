"""App configuration for webcare.incidents: the "choir" of complaints detected and answered as one incident."""

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "webcare.incidents"
    label = "incidents"
    default_auto_field = "django.db.models.BigAutoField"
