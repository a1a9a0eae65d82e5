"""URLs of the access app (mounted at /privacy/reveals/): the reveal review and the purposes list."""

from django.urls import path

from webcare.access import views

app_name = "access"
urlpatterns = [
    path("", views.reveal_list, name="reveals"),
    path("purposes/", views.purpose_list, name="purposes"),
    path("purposes/<slug:key>/", views.purpose_change, name="purpose"),
]
