"""How the topics view writes a change: "+64 (+50 %)", "−3", "new" — in the reader's number format."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from webcare.insights.topics import Change

register = template.Library()


def _signed(n: int) -> str:
    """A whole number with its sign: "+64", "−12" (a real minus sign), "0"."""
    text = number_format(abs(n), force_grouping=True)
    return f"+{text}" if n > 0 else f"−{text}" if n < 0 else "0"


@register.filter
def change(value: Change | None) -> str:
    """The absolute change, with the per cent where the base is large enough, or "new" for a topic nobody wrote
    about last week."""
    if value is None:
        return "—"
    if value.new:
        return _("new (%(n)s)") % {"n": _signed(value.absolute)}
    if value.percent is None:
        return _signed(value.absolute)
    return f"{_signed(value.absolute)} ({_signed(value.percent)} %)"


@register.filter
def sentiment_word(label: str) -> str:
    return {"negative": _("complaint"), "positive": _("praise")}.get(label, _("neutral"))


@register.filter
def language_label(code: str) -> str:
    """A language code as its name in the reader's language ("nb" → "Norwegian Bokmål"), the code when unknown."""
    from webcare.inbox.templatetags.triage import language_name

    return f"{language_name(code)} ({code})" if code else "?"
