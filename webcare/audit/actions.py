"""The names of audited actions: one place, so views, filters and docs agree.

A name is stored in every entry and covered by its hash, so a name never changes once released; a new kind of event
gets a new name. ``LABELS`` gives each its readable, translated label (the page's filter and table use it; an
unknown name is shown as it is stored).
"""

from __future__ import annotations

from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SIGN_IN: Final = "auth.sign_in"
SIGN_IN_FAILED: Final = "auth.sign_in_failed"
SIGN_OUT: Final = "auth.sign_out"
LOCKED_OUT: Final = "auth.locked_out"
#: An admin lifted a sign-in lock (webcare/security/locks.py).
UNLOCKED: Final = "auth.unlocked"
TWO_FACTOR_ENABLED: Final = "auth.2fa_enabled"
TWO_FACTOR_DISABLED: Final = "auth.2fa_disabled"
#: A site-wide privilege of an account changed: Django's ``is_staff`` / ``is_superuser``, its groups or its
#: individual permissions (whoever changed it: the Django admin, ``createadmin``, a shell).
PRIVILEGES_CHANGED: Final = "auth.privileges_changed"
#: An account was deleted (from the Django admin or a shell; its agent rows go with it).
ACCOUNT_DELETED: Final = "auth.account_deleted"
#: An account (user) or group was added, changed or deleted in the Django admin (``/admin/``).
ADMIN_ACCOUNT_CHANGED: Final = "admin.account_changed"
REVEAL: Final = "privacy.reveal"
EXPORT: Final = "privacy.export"
ERASE: Final = "privacy.erase"
RETENTION: Final = "privacy.retention"
RETENTION_POLICY: Final = "privacy.retention_policy"
ROLE_CHANGED: Final = "staff.role_changed"
AGENT_CREATED: Final = "staff.agent_created"
AGENT_CHANGED: Final = "staff.agent_changed"
AGENT_DEACTIVATED: Final = "staff.agent_deactivated"
AGENT_REACTIVATED: Final = "staff.agent_reactivated"
AGENT_DELETED: Final = "staff.agent_deleted"
PASSWORD_RESET: Final = "staff.password_reset"  # noqa: S105 - an event's name, not a password
TEAM_CHANGED: Final = "staff.team_changed"
CHANNEL_CREDENTIALS: Final = "channel.credentials_changed"
API_TOKEN_CREATED: Final = "api.token_created"  # noqa: S105
API_TOKEN_REVOKED: Final = "api.token_revoked"  # noqa: S105
#: A revoked token was made valid again (its revocation time cleared in the Django admin).
API_TOKEN_RESTORED: Final = "api.token_restored"  # noqa: S105
KEYS_ROTATED: Final = "keys.rotated"
#: The audit log itself was exported (``webcare audit export``).
AUDIT_EXPORTED: Final = "audit.exported"
#: The topics view was exported as CSV (figures only, no personal data; who took what, for the record).
TOPICS_EXPORTED: Final = "insights.topics_exported"

LABELS: Final[dict[str, Promise]] = {
    SIGN_IN: _("Signed in"),
    SIGN_IN_FAILED: _("Sign-in failed"),
    SIGN_OUT: _("Signed out"),
    LOCKED_OUT: _("Locked out"),
    UNLOCKED: _("Sign-in lock lifted"),
    TWO_FACTOR_ENABLED: _("Two-factor sign-in turned on"),
    TWO_FACTOR_DISABLED: _("Two-factor sign-in turned off"),
    PRIVILEGES_CHANGED: _("Account privileges changed"),
    ACCOUNT_DELETED: _("Account deleted"),
    ADMIN_ACCOUNT_CHANGED: _("Account changed in the site administration"),
    REVEAL: _("Personal data revealed"),
    EXPORT: _("Personal data exported"),
    ERASE: _("Person erased"),
    RETENTION: _("Retention applied"),
    RETENTION_POLICY: _("Retention policy changed"),
    ROLE_CHANGED: _("Role changed"),
    AGENT_CREATED: _("Agent added"),
    AGENT_CHANGED: _("Agent's account changed"),
    AGENT_DEACTIVATED: _("Agent deactivated"),
    AGENT_REACTIVATED: _("Agent activated again"),
    AGENT_DELETED: _("Agent deleted"),
    PASSWORD_RESET: _("Password reset"),
    TEAM_CHANGED: _("Team membership changed"),
    CHANNEL_CREDENTIALS: _("Channel credentials changed"),
    API_TOKEN_CREATED: _("API token created"),
    API_TOKEN_REVOKED: _("API token revoked"),
    API_TOKEN_RESTORED: _("API token valid again"),
    KEYS_ROTATED: _("Encryption keys rotated"),
    AUDIT_EXPORTED: _("Audit log exported"),
    TOPICS_EXPORTED: _("Topics exported"),
}


def label(action: str) -> str:
    """The readable label of ``action`` in the active language (the stored name when webcare does not know it)."""
    found = LABELS.get(action)
    return str(found) if found is not None else action
