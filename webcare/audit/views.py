"""The audit log page (``/staff/audit/``): an organisation's entries, newest first, and "Verify chain".

Who: admins and supervisors of the organisation (supervisors review reveals, so they read the log; both may verify,
which only reads). Admins also see the install's own entries (no organisation). Agents and analysts get 403; nobody
ever sees another organisation's entries — :func:`webcare.audit.query.visible_to` is the one place that says so.

The chain is checked as a whole (it is one chain for the install), but a broken entry is described only as far as
the viewer may see it: another organisation's entry is named by its id and time, not its action or target.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from webcare.audit import actions, chain, query, verify
from webcare.audit.models import AuditEntry
from webcare.core.models import Agent
from webcare.inbox.views import current_agent

PAGE_SIZE = 50
MAX_FILTER = 150


def audit_reader(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sign-in required; admins and supervisors only (403 for every other role); ``view(request, me)``."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        me = current_agent(request)
        if me.role not in query.READERS:
            raise PermissionDenied("Only admins and supervisors read the audit log.")
        response = view(request, me, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper


def zone_of(me: Agent) -> ZoneInfo:
    try:
        return ZoneInfo(me.organisation.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _filters(request: HttpRequest) -> tuple[query.Filters, dict[str, str], dict[str, str]]:
    """The filters from the query string, the values to show back, and an error per field."""
    values = {name: request.GET.get(name, "").strip()[:MAX_FILTER] for name in ("action", "actor", "target", "since",
                                                                                  "until")}
    errors: dict[str, str] = {}
    days: dict[str, Any] = {}
    for name in ("since", "until"):
        try:
            days[name] = query.parse_day(values[name], name)
        except ValueError:
            errors[name] = _("enter a date as YYYY-MM-DD")
    if days.get("since") and days.get("until") and days["since"] > days["until"]:
        errors["until"] = _("the end comes before the start")
    filters = query.Filters(action=values["action"], actor=values["actor"], target=values["target"],
                            since=days.get("since"), until=days.get("until"))
    return filters, values, errors


def _detail(detail: Any) -> list[tuple[str, str]]:
    """An entry's detail as (name, value) pairs to show."""
    if not isinstance(detail, dict):
        return []
    return [(str(key), value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            for key, value in detail.items()]


def _rows(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    return [{"entry": entry, "label": actions.label(entry.action), "detail": _detail(entry.detail)}
            for entry in entries]


def _cursor(request: HttpRequest) -> tuple[int | None, str]:
    text = request.GET.get("before", "").strip()
    if not text:
        return None, ""
    if not text.isdigit():
        return None, _("the page link is not valid; start again from the newest entries")
    return int(text), ""


def _page(request: HttpRequest, me: Agent, verification: dict[str, Any] | None = None,
          anchor: str = "") -> HttpResponse:
    filters, values, errors = _filters(request)
    before, cursor_error = _cursor(request)
    if cursor_error:
        errors["before"] = cursor_error
    found: list[AuditEntry] = []
    next_cursor = None
    if not errors:
        entries = query.apply(query.visible_to(me), filters, zone_of(me))
        found, next_cursor = query.page(entries, before, PAGE_SIZE)
    choices = sorted(((name, str(text)) for name, text in actions.LABELS.items()), key=lambda item: item[1])
    older = request.GET.copy()
    older["before"] = str(next_cursor or "")
    context = {"me": me, "section": "audit", "rows": _rows(found), "values": values, "errors": errors,
               "choices": choices, "older": older.urlencode() if next_cursor else "", "paged": before is not None,
               "filtered": any(values.values()), "verification": verification, "anchor": anchor,
               "zone": zone_of(me).key}
    status = 400 if errors else 200
    return render(request, "audit/log.html", context, status=status)


@require_GET
@audit_reader
def log(request: HttpRequest, me: Agent) -> HttpResponse:
    return _page(request, me)


def _describe(me: Agent, result: verify.Result) -> dict[str, Any]:
    """The verification's outcome, as far as ``me`` may see the broken entry."""
    outcome: dict[str, Any] = {"intact": result.intact, "count": result.count, "last_hash": result.last_hash,
                               "missing": sorted(result.missing_anchors)}
    if result.broken is not None:
        row = result.broken.row
        visible = query.visible_to(me).filter(pk=row.id).exists()
        outcome["broken"] = {"id": row.id, "at": row.at, "visible": visible,
                             "action": actions.label(row.action) if visible else "",
                             "target": row.hashed["target"] if visible else "",
                             "changed": result.broken.kind == chain.CHANGED}
    return outcome


@require_POST
@audit_reader
def verify_chain(request: HttpRequest, me: Agent) -> HttpResponse:
    anchor = request.POST.get("anchor", "").strip().lower()[:64]
    if anchor and (len(anchor) != 64 or any(char not in "0123456789abcdef" for char in anchor)):
        response = _page(request, me, {"anchor_error": _("a hash is 64 characters, 0–9 and a–f")}, anchor)
        response.status_code = 400
        return response
    return _page(request, me, _describe(me, verify.verify([anchor] if anchor else [])), anchor)
