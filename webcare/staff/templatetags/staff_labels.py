"""Template filters for the staff pages: translated role, signature and language names."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from webcare.staff import labels

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    return str(labels.ROLE_LABELS.get(code, code))


@register.filter
def signature_label(code: str) -> str:
    return str(labels.SIGNATURE_LABELS.get(code, code))


@register.filter
def language_names(codes: Iterable[str]) -> str:
    return ", ".join(labels.language_name(code) for code in codes or [])
