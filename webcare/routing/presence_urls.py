"""URLs of the agents' presence (mounted at /inbox/presence/, namespace ``presence``)."""

from django.urls import path

from webcare.routing import presence_views

app_name = "presence"

urlpatterns = [path("", presence_views.set_presence, name="set")]
