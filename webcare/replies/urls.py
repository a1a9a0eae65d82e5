"""URLs of canned responses, under /inbox/ (included from webcare/urls.py)."""

from django.urls import path

from webcare.replies import views

app_name = "replies"
urlpatterns = [
    path("canned/", views.canned_list, name="list"),
    path("canned/new/", views.canned_new, name="new"),
    path("canned/<int:canned_id>/", views.canned_edit, name="edit"),
    path("canned/<int:canned_id>/deactivate/", views.canned_deactivate, name="deactivate"),
    path("tickets/<int:ticket_id>/canned/<int:canned_id>/", views.canned_for_ticket, name="for_ticket"),
]
