"""URLs of webcare.notify (mounted at /inbox/notifications/)."""

from django.urls import path

from webcare.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<int:notification_id>/", views.open_notification, name="open"),
]
