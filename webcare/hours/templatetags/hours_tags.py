"""Template helpers of the opening-hours pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[Any, Any], key: Any) -> Any:
    """``{{ labels|get_item:value }}``: a mapping's value for a key held in a variable ("" when missing)."""
    return mapping.get(key, "") if mapping else ""
