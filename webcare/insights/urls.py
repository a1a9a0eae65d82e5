"""URLs of webcare.insights (mounted at /supervisor/topics/)."""

from django.urls import path

from webcare.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.topics, name="topics"),
    path("themes/", views.themes, name="themes"),
    path("themes/delete/", views.theme_delete, name="theme_delete"),
]
