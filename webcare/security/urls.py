"""URLs of the security app."""

from django.urls import path  # noqa: F401

app_name = "security"
urlpatterns: list = []
