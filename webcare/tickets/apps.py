"""App configuration for webcare.tickets."""

from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "webcare.tickets"
    label = "tickets"
    default_auto_field = "django.db.models.BigAutoField"
