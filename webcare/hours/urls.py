"""URLs of webcare.hours (mounted at /staff/hours/): opening hours, special days, automatic replies."""

from django.urls import path

from webcare.hours import views

app_name = "hours"

urlpatterns = [
    path("", views.hours_list, name="list"),
    path("new/", views.hours_new, name="new"),
    path("<int:hours_id>/", views.hours_edit, name="edit"),
    path("<int:hours_id>/delete/", views.hours_delete, name="delete"),
    path("<int:hours_id>/special-days/", views.special_add, name="special_add"),
    path("<int:hours_id>/special-days/<int:special_id>/delete/", views.special_delete, name="special_delete"),
    path("replies/", views.replies_list, name="replies"),
    path("replies/new/", views.reply_new, name="reply_new"),
    path("replies/<int:template_id>/", views.reply_edit, name="reply_edit"),
    path("replies/<int:template_id>/delete/", views.reply_delete, name="reply_delete"),
]
