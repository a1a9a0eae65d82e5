"""URLs of the audit log page (``/staff/audit/``)."""

from django.urls import path

from webcare.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.log, name="log"),
    path("verify/", views.verify_chain, name="verify"),
]
