"""Words the service-level pages and badges show: intents, priorities, targets, and spans of time ("1 h 20 min")."""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from webcare.sla.models import SlaTarget

#: The intents triage detects (webcare/triage/intent.py), as people read them.
INTENT_LABELS: Final = {
    "question": gettext_lazy("Question"),
    "complaint": gettext_lazy("Complaint"),
    "praise": gettext_lazy("Praise"),
    "sales_lead": gettext_lazy("Sales lead"),
    "spam": gettext_lazy("Spam"),
    "other": gettext_lazy("Other"),
}
PRIORITY_LABELS: Final = {
    1: gettext_lazy("Urgent"),
    2: gettext_lazy("High"),
    3: gettext_lazy("Normal"),
    4: gettext_lazy("Low"),
}
TARGET_LABELS: Final = {
    SlaTarget.FIRST_RESPONSE: gettext_lazy("First response"),
    SlaTarget.NEXT_RESPONSE: gettext_lazy("Next response"),
    SlaTarget.RESOLUTION: gettext_lazy("Resolution"),
}


def span_text(seconds: float) -> str:
    """A span of time in the two largest units, rounded down to minutes: "2 d 3 h", "1 h 20 min", "15 min",
    "less than a minute"."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours} if hours else _("%(d)d d") % {"d": days}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes} if minutes else _("%(h)d h") % {"h": hours}
    if minutes:
        return _("%(m)d min") % {"m": minutes}
    return _("less than a minute")


def minutes_text(minutes: int | None) -> str:
    """A target as the policies list shows it ("4 h", "1 h 30 min"); "—" for no target."""
    if minutes is None:
        return "—"
    return span_text(minutes * 60)
