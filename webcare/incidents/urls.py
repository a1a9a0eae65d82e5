"""URLs of webcare.incidents (mounted at /incidents/)."""

from django.urls import path

from webcare.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("banner/", views.banner, name="banner"),
    path("<int:incident_id>/", views.detail, name="detail"),
    path("<int:incident_id>/reply-all/", views.reply_all, name="reply_all"),
    path("<int:incident_id>/post/", views.post, name="post"),
    path("<int:incident_id>/resolve/", views.resolve, name="resolve"),
    path("<int:incident_id>/dismiss/", views.dismiss, name="dismiss"),
    path("<int:incident_id>/title/", views.rename, name="rename"),
]
