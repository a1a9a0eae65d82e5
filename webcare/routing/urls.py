"""URLs of webcare.routing (mounted at /staff/routing/).

INTERFACE (skeleton): the work on this area replaces the placeholder."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

app_name = "routing"


def placeholder(request: HttpRequest) -> HttpResponse:
    raise Http404("not built yet")


urlpatterns = [path("", placeholder, name="rules")]
