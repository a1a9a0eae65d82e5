"""URL map: the admin, the REST API (with its OpenAPI schema and docs page) and the health check."""

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path

from webcare.api.api import api


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
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("health", health, name="health"),
]
