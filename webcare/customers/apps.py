"""App configuration for webcare.customers."""

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "webcare.customers"
    label = "customers"
    default_auto_field = "django.db.models.BigAutoField"
