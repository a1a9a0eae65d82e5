"""URLs of the web chat widget (the embeddable script and the customer's side of the chat), under /chat/."""

from django.urls import path

from webcare.webchat import views

app_name = "webchat"

urlpatterns = [
    path("<str:key>/widget.js", views.widget_js, name="widget"),
    path("<str:key>/preview", views.preview, name="preview"),
    path("<str:key>/config", views.config, name="config"),
    path("<str:key>/session", views.start_session, name="session"),
    path("<str:key>/messages", views.messages, name="messages"),
    path("<str:key>/suggest", views.suggest, name="suggest"),
]
