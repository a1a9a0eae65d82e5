"""Stored attachments (e-mail files, chat uploads). Placeholder until the e-mail work fills it in."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def serve(request: HttpRequest, organisation_id: int, digest: str, name: str) -> HttpResponse:
    raise Http404("not yet")
