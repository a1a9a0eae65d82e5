"""URLs of the privacy pages (``/privacy/``): data subject requests (docs/privacy.md)."""

from django.urls import path

from webcare.gdpr import views

app_name = "gdpr"
urlpatterns = [
    path("", views.home, name="home"),
    path("export/", views.export_view, name="export"),
    path("erase/", views.erase_view, name="erase"),
    path("requests/<int:request_id>/", views.request_detail, name="request"),
]
