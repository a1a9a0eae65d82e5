"""URLs of the retention app (mounted at /staff/retention/): the policies, a policy's form, the dry run."""

from django.urls import path

from webcare.retention import views

app_name = "retention"
urlpatterns = [
    path("", views.policy_list, name="policies"),
    path("new/", views.policy_new, name="policy_new"),
    path("<int:policy_id>/", views.policy_edit, name="policy"),
    path("<int:policy_id>/delete/", views.policy_delete, name="policy_delete"),
    path("dry-run/", views.dry_run, name="dry_run"),
]
