"""URLs of the agents' inbox."""

from django.urls import path

from webcare.inbox import language, live_views, views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("list/", views.ticket_list, name="list"),
    path("bulk/", views.bulk, name="bulk"),
    path("views/", live_views.views_nav, name="views"),
    path("language/", language.set_language, name="language"),
    path("events/", live_views.events, name="events"),
    path("tickets/<int:ticket_id>/presence/", live_views.presence, name="presence"),
    path("tickets/<int:ticket_id>/", views.ticket_pane, name="ticket"),
    path("tickets/<int:ticket_id>/assign-me/", views.assign_to_me, name="assign_me"),
    path("tickets/<int:ticket_id>/status/", views.change_status, name="status"),
    path("tickets/<int:ticket_id>/fields/", views.fields, name="fields"),
    path("tickets/<int:ticket_id>/reply/", views.reply, name="reply"),
    path("tickets/<int:ticket_id>/note/", views.note, name="note"),
]
