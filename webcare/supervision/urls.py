"""URLs of webcare.supervision (mounted at /supervisor/)."""

from django.urls import path

from webcare.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("now/", views.now_numbers, name="now"),
    path("overflow/", views.pull_overflow, name="overflow"),
    path("overflow/end/", views.end_overflow, name="overflow_end"),
]
