"""URLs of the agents' inbox."""

from django.urls import path

from webcare.inbox import customer_views, language, live_views, protect_views, views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("list/", views.ticket_list, name="list"),
    path("bulk/", views.bulk, name="bulk"),
    path("searches/", views.save_search, name="save_search"),
    path("searches/<int:saved_id>/delete/", views.delete_search, name="delete_search"),
    path("views/", live_views.views_nav, name="views"),
    path("language/", language.set_language, name="language"),
    path("events/", live_views.events, name="events"),
    path("tickets/<int:ticket_id>/presence/", live_views.presence, name="presence"),
    path("tickets/<int:ticket_id>/", views.ticket_pane, name="ticket"),
    path("tickets/<int:ticket_id>/assign-me/", views.assign_to_me, name="assign_me"),
    path("tickets/<int:ticket_id>/status/", views.change_status, name="status"),
    path("tickets/<int:ticket_id>/no-reply-needed/", views.no_reply_needed, name="no_reply_needed"),
    path("tickets/<int:ticket_id>/fields/", views.fields, name="fields"),
    path("tickets/<int:ticket_id>/reply/", views.reply, name="reply"),
    path("tickets/<int:ticket_id>/note/", views.note, name="note"),
    path("tickets/<int:ticket_id>/move-to-private/", views.move_to_private, name="move_to_private"),
    path("tickets/<int:ticket_id>/protect/", protect_views.protect, name="protect"),
    path("tickets/<int:ticket_id>/messages/<int:message_id>/retry/", views.retry_message, name="retry_message"),
    path("tickets/<int:ticket_id>/messages/<int:message_id>/moderate/", views.moderate_message,
         name="moderate_message"),
    path("tickets/<int:ticket_id>/messages/<int:message_id>/personal-data/", views.message_personal_data,
         name="message_personal_data"),
    path("tickets/<int:ticket_id>/customer/", customer_views.card, name="customer"),
    path("tickets/<int:ticket_id>/customer/edit/", customer_views.edit, name="customer_edit"),
    path("tickets/<int:ticket_id>/customer/reveal/", customer_views.reveal, name="customer_reveal"),
    path("tickets/<int:ticket_id>/customer/timeline/", customer_views.timeline_more, name="customer_timeline"),
    path("tickets/<int:ticket_id>/customer/merge/", customer_views.merge, name="customer_merge"),
    path("tickets/<int:ticket_id>/customer/merge/search/", customer_views.merge_search, name="customer_merge_search"),
    path("tickets/<int:ticket_id>/customer/merge/<int:other_id>/", customer_views.merge_confirm,
         name="customer_merge_confirm"),
    path("tickets/<int:ticket_id>/links/", customer_views.link, name="link"),
]
