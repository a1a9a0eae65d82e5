"""Refuse the NUL character in what the JSON endpoints receive (the REST API, the web chat), with a 400 naming where.

Why: PostgreSQL cannot store NUL in a text or JSON value (``\\u0000``), so such a request got past validation and
failed in the database with a 500 — found by the API fuzz test (tests/test_api_fuzz.py). No person types NUL;
only a broken or hostile client sends it, and it gets a clear answer before anything is read or stored. HTML forms
need nothing here: Django's form fields refuse NUL already. Webhooks are not refused (a platform would retry for
ever): what a platform sends is the ingestion's to clean.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

PREFIXES = ("/api/", "/chat/")
NUL = "\x00"


def nul_paths(value: Any, path: str = "body") -> Iterator[str]:
    """Where in a decoded JSON value a string (or a key) holds NUL, as ``body.items[2].text``."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in str(key):
                yield f"{path}.<key>"
            yield from nul_paths(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nul_paths(item, f"{path}[{index}]")


def refused_at(request: HttpRequest) -> str:
    """The first place of the request that holds NUL ("" when none): path, query parameter, or JSON body field."""
    if NUL in request.path:
        return "path"
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return f"query.{key.replace(NUL, '')}"
    try:
        body = request.body if request.method in ("POST", "PUT", "PATCH") else b""
    except RequestDataTooBig:
        return ""  # the endpoint answers 413 itself
    if b"\\u0000" in body or b"\x00" in body:  # only then is the body decoded here (JSON escapes NUL as \u0000)
        try:
            decoded = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            return "body"  # a raw NUL byte: not JSON anyway
        return next(nul_paths(decoded), "")
    return ""


class RefuseNulCharacters:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(PREFIXES):
            where = refused_at(request)
            if where:
                return JsonResponse({"error": "invalid request",
                                     "fields": {where: "must not contain the NUL character (\\u0000)"}}, status=400)
        return self.get_response(request)
