"""URLs of the staff pages (``/staff/``): agents, teams and channels of the signed-in admin's organisation."""

from django.urls import path

from webcare.staff import channels, views

app_name = "staff"
urlpatterns = [
    path("", views.agent_list, name="agents"),
    path("agents/new/", views.agent_new, name="agent_new"),
    path("agents/<int:agent_id>/", views.agent_edit, name="agent"),
    path("agents/<int:agent_id>/password/", views.agent_password, name="agent_password"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<int:team_id>/", views.team_edit, name="team"),
    path("channels/", channels.channel_list, name="channels"),
    path("channels/new/", channels.channel_kinds, name="channel_kinds"),
    path("channels/new/<str:kind>/", channels.channel_connect, name="channel_connect"),
    path("channels/<int:channel_id>/", channels.channel_edit, name="channel"),
    path("channels/<int:channel_id>/check/", channels.channel_check, name="channel_check"),
    path("channels/<int:channel_id>/register-webhook/", channels.channel_register, name="channel_register"),
    path("channels/<int:channel_id>/active/", channels.channel_active, name="channel_active"),
]
