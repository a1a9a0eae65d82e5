"""One error format for the whole API, and the exception handlers that produce it.

Every error is ``{"error": message, "fields": {dotted.path: message}}`` (``fields`` may be empty). Why one shape:
integrators write one error handler, and a form can put each message next to its field. Field paths are the paths
inside the request (``author.id``, ``attachments.0.name``, ``limit``), never ninja's internal ``body.payload`` prefix,
and values are never echoed back (they may be personal data).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from webcare.tickets.actions import ActionError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("webcare.api")

#: Where ninja says a value came from; the first element of its error locations, dropped from field paths.
PARAM_SOURCES = frozenset({"query", "path", "header", "cookie", "form", "file"})
PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


class ApiError(Exception):
    """An error answer decided by a view: status, message, and optionally the fields at fault."""

    def __init__(self, status: int, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = dict(fields or {})


class NotFound(ApiError):
    """The object does not exist or belongs to another organisation: the two are indistinguishable on purpose."""

    def __init__(self, field: str | None = None, message: str = "not found") -> None:
        super().__init__(404, "not found", {field: message} if field else None)


def get_or_404[M: Model](queryset: QuerySet[M], **filters: Any) -> M:
    """The one row matching ``filters`` (which must include the organisation), else a 404."""
    try:
        return queryset.get(**filters)
    except ObjectDoesNotExist as exc:
        raise NotFound() from exc


class InvalidJSON(ValueError):
    """The request body could not be read as JSON."""


class JsonParser(Parser):
    """ninja's parser, but a body that is not JSON raises :class:`InvalidJSON` so it gets its own clear answer."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return json.loads(request.body)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
            raise InvalidJSON(str(exc)) from exc


def field_path(loc: Iterable[Any]) -> str:
    """A dotted path from ninja's error location: ``("body", "payload", "author", "id")`` → ``author.id``."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:]  # "body" and the view's argument name
    elif parts and parts[0] in PARAM_SOURCES:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or "body"


def clean_message(message: str) -> str:
    """pydantic's message without its "Value error, " prefix."""
    for prefix in PYDANTIC_PREFIXES:
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def validation_fields(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """``{path: message}``; several errors on one path are joined with "; "."""
    fields: dict[str, str] = {}
    for error in errors:
        path = field_path(error.get("loc", ()))
        message = clean_message(str(error.get("msg", "invalid")))
        fields[path] = f"{fields[path]}; {message}" if path in fields else message
    return fields


def error_response(api: NinjaAPI, request: HttpRequest, status: int, message: str,
                   fields: Mapping[str, str] | None = None) -> HttpResponse:
    return api.create_response(request, {"error": message, "fields": dict(fields or {})}, status=status)


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api`` (ninja picks the handler of the exception's closest class)."""

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return error_response(api, request, 422, "invalid request", validation_fields(exc.errors))

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.message, exc.fields)

    def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
        return error_response(api, request, 400, exc.message, {exc.field: exc.message})

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 404, "not found")

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(api, request, 401, exc.message)
        response["WWW-Authenticate"] = 'Bearer realm="webcare"'
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, InvalidJSON):
            return error_response(api, request, 400, "body is not valid JSON")
        if isinstance(exc.__cause__, RequestDataTooBig):
            return on_too_big(request, exc.__cause__)
        return error_response(api, request, exc.status_code, exc.message)

    def on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 413, "body too large")

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged with its traceback for the operator; the caller learns nothing internal.
        logger.exception("unhandled error in %s %s", request.method, request.path, exc_info=exc)
        return error_response(api, request, 500, "internal error")

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (NinjaValidationError, on_validation),
        (ApiError, on_api_error),
        (ActionError, on_action_error),
        (Http404, on_not_found),
        (AuthenticationError, on_authentication),
        (HttpError, on_http_error),
        (RequestDataTooBig, on_too_big),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
