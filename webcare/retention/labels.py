"""How a policy and its report read, for the page and the command alike (so both say the same thing)."""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from webcare.core.models import ChannelKind
from webcare.retention.models import DataKind

#: From when each kind's days count.
COUNTED_FROM: Final = {
    DataKind.MESSAGE_BODIES: gettext_lazy("after the ticket was solved (or the message, without a ticket)"),
    DataKind.ATTACHMENTS: gettext_lazy("after the ticket was solved (or the message, without a ticket)"),
    DataKind.RAW_EVENTS: gettext_lazy("after the delivery was processed"),
    DataKind.NOTIFICATIONS: gettext_lazy("after the notification was raised"),
    DataKind.LIVE_EVENTS: gettext_lazy("after the update was sent"),
}
#: What happens to a due item.
EFFECT: Final = {
    DataKind.MESSAGE_BODIES: gettext_lazy("texts, subjects, author names and internal notes blanked; times, language "
                                          "and sentiment kept for the statistics"),
    DataKind.ATTACHMENTS: gettext_lazy("stored files deleted (a file another kept message shares stays)"),
    DataKind.RAW_EVENTS: gettext_lazy("deleted, with the stored original e-mail"),
    DataKind.NOTIFICATIONS: gettext_lazy("deleted"),
    DataKind.LIVE_EVENTS: gettext_lazy("deleted"),
}


def data_kind_label(value: str) -> str:
    try:
        return str(DataKind(value).label)
    except ValueError:
        return value


def channel_label(value: str) -> str:
    if not value:
        return _("every channel")
    try:
        return str(ChannelKind(value).label)
    except ValueError:
        return value
