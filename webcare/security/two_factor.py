"""Two-step sign-in: enrolment, checking a code, recovery codes, turning it off — the only writers of the devices.

Rules:
- a device does nothing until it is confirmed with a code from the app (so a mistyped scan cannot lock anyone out);
- a code is accepted once: the device remembers the step of the last accepted code, and the update that records a
  newer step is conditional, so two requests racing with the same code cannot both win;
- recovery codes are shown once and stored as keyed hashes; each works once;
- turning it off needs a current code (or a recovery code), and is audited like turning it on.
Admins (role admin in any organisation) and superusers must have it: :func:`required`, enforced by the middleware.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from webcare.audit import actions
from webcare.audit.log import record
from webcare.core.models import Agent, Role
from webcare.crypto import decrypt_json, encrypt_json
from webcare.security import totp
from webcare.security.models import RecoveryCode, TwoFactorDevice

PURPOSE = "two-factor"
Method = Literal["totp", "recovery"]


class TwoFactorError(Exception):
    """A two-step sign-in change that cannot be made; the message is for the person (translated)."""


def required(user: Any) -> bool:
    """Whether this person must use two-step sign-in: superusers and admins of any organisation."""
    if getattr(user, "is_superuser", False):
        return True
    return Agent.objects.filter(user_id=user.pk, role=Role.ADMIN).exists()


def _aad(user_id: int) -> bytes:
    """The ciphertext is bound to its user: copying one person's secret onto another's row does not decrypt."""
    return f"two-factor:{user_id}".encode()


def encrypted_secret(user_id: int, secret: str) -> str:
    return encrypt_json({"secret": secret}, PURPOSE, _aad(user_id))


def secret_of(device: TwoFactorDevice) -> str:
    return str(decrypt_json(device.secret_encrypted, PURPOSE, _aad(device.user_id))["secret"])


def confirmed_device(user: Any) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).first()


def is_enabled(user: Any) -> bool:
    return TwoFactorDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def pending_secret(user: Any) -> str:
    """The secret being enrolled: the unconfirmed device's, so reloading the page keeps the same QR code."""
    device = TwoFactorDevice.objects.filter(user_id=user.pk).first()
    if device is not None and device.confirmed:
        raise TwoFactorError(_("Two-step sign-in is already on."))
    if device is None:
        secret = totp.new_secret()
        TwoFactorDevice.objects.create(user_id=user.pk, secret_encrypted=encrypted_secret(user.pk, secret))
        return secret
    return secret_of(device)


def _organisations(user: Any) -> list[int | None]:
    """Every organisation the person works for (each one's audit log gets the entry); none: a site superuser."""
    ids = list(Agent.objects.filter(user_id=user.pk).order_by("organisation_id")
               .values_list("organisation_id", flat=True))
    return list(ids) or [None]


def audit(action: str, user: Any, request: HttpRequest | None, detail: dict[str, Any] | None = None,
          actor: Any = None, actor_label: str = "") -> None:
    """One audit entry per organisation of ``user``, about ``user`` (the actor is the user unless given)."""
    for organisation_id in _organisations(user):
        record(action, organisation=organisation_id, actor=actor if actor is not None or actor_label else user,
               actor_label=actor_label, target=f"user:{user.pk}", detail=detail, request=request)


def _replace_recovery_codes(device: TwoFactorDevice) -> list[str]:
    codes = totp.new_recovery_codes()
    RecoveryCode.objects.filter(device=device).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(device=device, code_hash=totp.recovery_code_hash(code))
                                      for code in codes])
    return codes


def confirm(user: Any, code: str, request: HttpRequest | None = None, now: datetime | None = None) -> list[str]:
    """Turn two-step sign-in on with the first code from the app; returns the recovery codes (shown once)."""
    now = now or timezone.now()
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user_id=user.pk).first()
        if device is None:
            raise TwoFactorError(_("Start again: scan the QR code first."))
        if device.confirmed:
            raise TwoFactorError(_("Two-step sign-in is already on."))
        step = totp.matching_step(secret_of(device), code, now)
        if step is None:
            raise TwoFactorError(_("That code is not right. Check the time on your phone and type the code the app "
                                   "shows now."))
        device.confirmed_at = now
        device.last_step = step
        device.save(update_fields=["confirmed_at", "last_step"])
        codes = _replace_recovery_codes(device)
        audit(actions.TWO_FACTOR_ENABLED, user, request)
    return codes


def verify(user: Any, code: str, now: datetime | None = None) -> Method | None:
    """Whether ``code`` is a right, unused code of the person's device — and if so, use it up.

    Returns ``"totp"`` or ``"recovery"``; None for a wrong, replayed or used code, or no device.
    """
    now = now or timezone.now()
    device = confirmed_device(user)
    if device is None:
        return None
    if totp.looks_like_recovery_code(code):
        used = (RecoveryCode.objects.filter(device=device, code_hash=totp.recovery_code_hash(code),
                                            used_at__isnull=True).update(used_at=now))
        return "recovery" if used else None
    step = totp.matching_step(secret_of(device), code, now, after_step=device.last_step)
    if step is None:
        return None
    won = TwoFactorDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step)
    return "totp" if won else None


def disable(user: Any, code: str, request: HttpRequest | None = None, now: datetime | None = None) -> None:
    """Turn it off; needs a current code from the app or an unused recovery code."""
    with transaction.atomic():
        if confirmed_device(user) is None:
            raise TwoFactorError(_("Two-step sign-in is not on."))
        method = verify(user, code, now)
        if method is None:
            raise TwoFactorError(_("That code is not right, or it was used already."))
        TwoFactorDevice.objects.filter(user_id=user.pk).delete()
        audit(actions.TWO_FACTOR_DISABLED, user, request, {"with": method})


def renew_recovery_codes(user: Any, code: str, now: datetime | None = None) -> list[str]:
    """New recovery codes (the old ones stop working); needs a current code."""
    with transaction.atomic():
        device = confirmed_device(user)
        if device is None:
            raise TwoFactorError(_("Two-step sign-in is not on."))
        if verify(user, code, now) is None:
            raise TwoFactorError(_("That code is not right, or it was used already."))
        return _replace_recovery_codes(device)


def unused_recovery_codes(device: TwoFactorDevice) -> int:
    return RecoveryCode.objects.filter(device=device, used_at__isnull=True).count()


def reset(user: Any, actor_label: str) -> bool:
    """Turn it off without a code (an operator's command, for a lost phone); False if it was not on."""
    with transaction.atomic():
        was_on = TwoFactorDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()
        TwoFactorDevice.objects.filter(user_id=user.pk).delete()
        if not was_on:
            return False
        audit(actions.TWO_FACTOR_DISABLED, user, None, {"with": "operator reset"}, actor_label=actor_label)
    return True
