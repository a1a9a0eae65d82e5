"""The names of audited actions: one place, so views, filters and docs agree."""

from __future__ import annotations

from typing import Final

SIGN_IN: Final = "auth.sign_in"
SIGN_IN_FAILED: Final = "auth.sign_in_failed"
SIGN_OUT: Final = "auth.sign_out"
LOCKED_OUT: Final = "auth.locked_out"
TWO_FACTOR_ENABLED: Final = "auth.2fa_enabled"
TWO_FACTOR_DISABLED: Final = "auth.2fa_disabled"
REVEAL: Final = "privacy.reveal"
EXPORT: Final = "privacy.export"
ERASE: Final = "privacy.erase"
RETENTION: Final = "privacy.retention"
RETENTION_POLICY: Final = "privacy.retention_policy"
ROLE_CHANGED: Final = "staff.role_changed"
AGENT_CREATED: Final = "staff.agent_created"
AGENT_CHANGED: Final = "staff.agent_changed"
TEAM_CHANGED: Final = "staff.team_changed"
CHANNEL_CREDENTIALS: Final = "channel.credentials_changed"
API_TOKEN_CREATED: Final = "api.token_created"  # noqa: S105
API_TOKEN_REVOKED: Final = "api.token_revoked"  # noqa: S105
KEYS_ROTATED: Final = "keys.rotated"
