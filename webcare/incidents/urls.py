"""URLs of webcare.incidents."""

from django.urls import path  # noqa: F401

app_name = "incidents"
urlpatterns: list = []
