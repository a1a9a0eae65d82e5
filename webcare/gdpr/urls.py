"""URLs of the gdpr app."""

from django.urls import path  # noqa: F401

app_name = "gdpr"
urlpatterns: list = []
