"""URLs of the channels app: the platforms' webhook endpoint and stored attachments."""

from django.urls import path

from webcare.channels import attachments, webhooks

app_name = "channels"

urlpatterns = [
    path("hooks/<str:key>/", webhooks.webhook, name="webhook"),
    path("attachments/<int:organisation_id>/<str:digest>/<str:name>", attachments.serve, name="attachment"),
]
