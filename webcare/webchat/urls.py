"""URLs of the web chat widget (the embeddable script and the customer's side of the chat)."""

from django.urls import path  # noqa: F401

app_name = "webchat"

urlpatterns: list = []
