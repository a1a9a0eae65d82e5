"""URLs of the staff pages (``/staff/``): agents and teams of the signed-in admin's organisation."""

from django.urls import path

from webcare.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.agent_list, name="agents"),
    path("agents/new/", views.agent_new, name="agent_new"),
    path("agents/<int:agent_id>/", views.agent_edit, name="agent"),
    path("agents/<int:agent_id>/password/", views.agent_password, name="agent_password"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<int:team_id>/", views.team_edit, name="team"),
]
