"""URLs of webcare.sla (mounted at /staff/sla/): the policies, a team's escalation, the acknowledgement window."""

from django.urls import path

from webcare.sla import views

app_name = "sla"
urlpatterns = [
    path("", views.policy_list, name="policies"),
    path("new/", views.policy_new, name="policy_new"),
    path("<int:policy_id>/", views.policy_edit, name="policy"),
    path("<int:policy_id>/move/", views.policy_move, name="policy_move"),
    path("<int:policy_id>/delete/", views.policy_delete, name="policy_delete"),
    path("teams/<int:team_id>/", views.team_escalation, name="team"),
    path("acknowledgement/", views.ack_window, name="ack"),
]
