"""URLs of webcare.hours (mounted at /staff/hours/).

INTERFACE (skeleton): the work on this area replaces the placeholder."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

app_name = "hours"


def placeholder(request: HttpRequest) -> HttpResponse:
    raise Http404("not built yet")


urlpatterns = [path("", placeholder, name="list")]
