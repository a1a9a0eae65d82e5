"""URLs of the routing rules (mounted at /staff/routing/): the list, the rule form, moves, and the test mode."""

from django.urls import path

from webcare.routing import views

app_name = "routing"

urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("new/", views.rule_new, name="rule_new"),
    path("test/", views.test_mode, name="test"),
    path("condition/", views.condition_row, name="condition"),
    path("<int:rule_id>/", views.rule_edit, name="rule"),
    path("<int:rule_id>/move/", views.rule_move, name="move"),
    path("<int:rule_id>/active/", views.rule_active, name="active"),
    path("<int:rule_id>/delete/", views.rule_delete, name="delete"),
]
