"""Translatable names for the roles, signature styles and languages shown on the staff pages.

Why here: the choices in ``webcare.core.models`` carry plain English labels (they are also the API's values), and
the staff pages are the first place an admin reads them, so they need words in the admin's language.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from webcare.core.models import Role, SignatureStyle

ROLE_LABELS: dict[str, Promise] = {
    Role.AGENT: _("Agent"),
    Role.SUPERVISOR: _("Supervisor"),
    Role.ADMIN: _("Admin"),
    Role.ANALYST: _("Analyst"),
}

ROLE_HINTS: dict[str, Promise] = {
    Role.AGENT: _("works tickets in the inbox"),
    Role.SUPERVISOR: _("works tickets and can see the agents and teams"),
    Role.ADMIN: _("works tickets and adds and changes agents and teams"),
    Role.ANALYST: _("sees figures only; cannot be assigned tickets"),
}

SIGNATURE_LABELS: dict[str, Promise] = {
    SignatureStyle.FIRST_NAME: _("First name"),
    SignatureStyle.INITIALS: _("Initials"),
}

SIGNATURE_HINTS: dict[str, Promise] = {
    SignatureStyle.FIRST_NAME: _("replies end with “Kari”"),
    SignatureStyle.INITIALS: _("replies end with “KN”"),
}


def language_name(code: str) -> str:
    """The language's own name as listed in settings (what agents pick in the language menu), else the code."""
    return dict(settings.LANGUAGES).get(code, code)
