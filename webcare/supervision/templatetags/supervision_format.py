"""How the dashboard writes durations and shares: short, in the reader's language, never a raw number of seconds."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds: float | str | None) -> str:
    """45 s, 12 min, 3 h 20 min, 2 d 4 h; an em dash for nothing (None, or "" from a missing attribute)."""
    if seconds is None or seconds == "":
        return "—"
    total = max(0, round(float(seconds)))
    if total < 60:
        return _("%(s)d s") % {"s": total}
    minutes = round(total / 60)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes} if minutes else _("%(h)d h") % {"h": hours}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours} if hours else _("%(d)d d") % {"d": days}


@register.filter
def percent(share: float | str | None, places: int = 1) -> str:
    """A share (0–1) as a percentage: "1.2 %", in the reader's number format; an em dash for nothing."""
    if share is None or share == "":
        return "—"
    return f"{number_format(round(float(share) * 100, places), decimal_pos=places)} %"
