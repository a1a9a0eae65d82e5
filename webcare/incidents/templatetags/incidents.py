"""The inbox's incident banner (``{% load incidents %}{% incident_banner %}`` in the inbox header)."""

from __future__ import annotations

from typing import Any

from django import template

from webcare.core.models import Agent

register = template.Library()


@register.inclusion_tag("incidents/_banner.html", takes_context=True)
def incident_banner(context: dict[str, Any]) -> dict[str, Any]:
    """The organisation's open incidents for the signed-in person (nothing when none is open, or nobody is signed
    in): one indexed query on ``incident_open``."""
    from webcare.incidents.views import open_incidents

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"incidents": [], "shown": False}
    agent = Agent.objects.filter(user=user).order_by("id").values_list("organisation_id", flat=True).first()
    return {"incidents": open_incidents(agent) if agent else [], "shown": agent is not None}


@register.filter
def lookup(mapping: dict[Any, Any], key: Any) -> Any:
    """``{{ names|lookup:kind }}``: a value of a dict by a key held in a variable ("" when absent)."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
