"""The public help page: a brand's FAQ articles, searchable as the customer types (no sign-in)."""

from django.urls import path  # noqa: F401

app_name = "help"
urlpatterns: list = []
