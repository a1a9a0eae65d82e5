"""URL map: the agents' inbox and sign-in, the admin, the REST API (schema and docs page), the health check."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from webcare.api.api import api
from webcare.security.signin import sign_in


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and the test harness: the process answers and the database is reachable."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """API clients get JSON errors, also for paths that do not exist."""
    return JsonResponse({"error": f"no such API endpoint: {request.method} {request.path}"}, status=404)


admin.site.site_header = "webcare administration"
admin.site.site_title = "webcare"

urlpatterns = [
    path("", RedirectView.as_view(url="/inbox/", permanent=False)),
    path("login/", sign_in, name="login"),  # two steps when the person has two-step sign-in (webcare/security)
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("inbox/", include("webcare.inbox.urls")),
    path("staff/hours/", include("webcare.hours.urls")),
    path("staff/sla/", include("webcare.sla.urls")),
    path("staff/routing/", include("webcare.routing.urls")),
    path("staff/audit/", include("webcare.audit.urls")),
    path("staff/retention/", include("webcare.retention.urls")),
    path("staff/", include("webcare.staff.urls")),
    path("privacy/reveals/", include("webcare.access.urls")),
    path("privacy/", include("webcare.gdpr.urls")),
    path("account/", include("webcare.security.urls")),
    path("supervisor/topics/", include("webcare.insights.urls")),
    path("supervisor/", include("webcare.supervision.urls")),
    path("search/", include("webcare.search.urls")),
    path("incidents/", include("webcare.incidents.urls")),
    path("help/", include("webcare.knowledge.help_urls")),
    path("inbox/notifications/", include("webcare.notify.urls")),
    path("inbox/presence/", include("webcare.routing.presence_urls")),
    path("inbox/", include("webcare.replies.urls")),
    path("inbox/", include("webcare.knowledge.urls")),
    path("admin/", admin.site.urls),
    path("", include("webcare.channels.urls")),
    path("chat/", include("webcare.webchat.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("health", health, name="health"),
]
