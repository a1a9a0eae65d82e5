"""App configuration for webcare.insights: what customers talk about, for the business."""

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "webcare.insights"
    label = "insights"
    default_auto_field = "django.db.models.BigAutoField"
