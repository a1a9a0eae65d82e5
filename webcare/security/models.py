"""Two-step sign-in (TOTP devices and their recovery codes) and sign-in throttling.

Why these live here and hold no readable secret: a database dump must not let anyone sign in. The TOTP secret is
AES-GCM encrypted with its own purpose key (webcare/crypto.py), recovery codes are keyed hashes, and a throttle row
names a username or an address only by a keyed hash (the people who mistype or attack are not ours to record).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TwoFactorDevice(models.Model):
    """One person's authenticator app. Unconfirmed while enrolling (``confirmed_at`` null): it does nothing then."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    #: The base32 TOTP secret, encrypted (``webcare.crypto.encrypt_json``, purpose ``two-factor``, bound to the user).
    secret_encrypted = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    #: The 30-second step of the last code accepted: a code of that step or an earlier one is refused (replay).
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"two-step sign-in of user {self.user_id}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A one-time code for signing in without the phone. Only a keyed hash is stored; the code is shown once."""

    device = models.ForeignKey(TwoFactorDevice, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_unique")]

    def __str__(self) -> str:
        return f"recovery code {self.pk} of device {self.device_id}"


class ThrottleScope(models.TextChoices):
    USERNAME = "username", "username"
    ADDRESS = "address", "client address"


class SignInThrottle(models.Model):
    """Failed sign-ins counted for one username or one client address within a window, and the lock they caused.

    ``key`` is a keyed hash of the scope and the normalised value, so a row says nothing readable; ``user`` is set
    when the username belongs to someone, so admins can see and lift their colleagues' locks.
    """

    key = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=16, choices=ThrottleScope.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["window_start"], name="signin_throttle_window")]

    def __str__(self) -> str:
        return f"{self.scope} throttle: {self.failures} failures"
