"""Organisations (brands), their channels, teams, agents and API tokens.

Everything in webcare is scoped to one :class:`Organisation`, so one install can serve several brands.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from webcare import crypto

slug_validator = RegexValidator(r"^[a-z0-9][a-z0-9-]{0,62}$", "Use lower-case letters, digits and hyphens.")


class ChannelKind(models.TextChoices):
    """The platforms a channel can be on; the same values name an identity's platform."""

    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    EMAIL = "email", "E-mail"
    WEBCHAT = "webchat", "Web chat"
    REVIEWS = "reviews", "Reviews"
    LISTENING = "listening", "Listening (brand mentions)"
    API = "api", "API"


class Role(models.TextChoices):
    """What an agent may do. Analysts see aggregates; supervisors see their teams and review; admins manage."""

    AGENT = "agent", "Agent"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Admin"
    ANALYST = "analyst", "Analyst"


class Organisation(models.Model):
    """A brand with its own channels, customers, tickets and agents."""

    slug = models.SlugField(max_length=63, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    #: ISO 639-1 codes the brand answers in (Norwegian as nb/nn); triage prefers these.
    languages = models.JSONField(default=list, blank=True)
    time_zone = models.CharField(max_length=64, default="Europe/Oslo")
    created_at = models.DateTimeField(default=timezone.now)
    # -- service promises (webcare/sla, webcare/supervision) ------------------------------------------------------
    #: The acknowledgement guarantee: a customer still waiting this long gets one automatic holding reply per
    #: conversation (0 turns it off). 24 hours by default; a brand that promises an hour sets 60.
    ack_window_minutes = models.PositiveIntegerField(default=24 * 60)
    #: Surge alert thresholds: new inbound messages per hour (over the last 15 minutes, scaled) and the oldest
    #: wait in minutes; 0 turns a threshold off.
    surge_arrivals_per_hour = models.PositiveIntegerField(default=120)
    surge_oldest_wait_minutes = models.PositiveIntegerField(default=60)
    #: The service level the staffing estimate aims for: this share (%) of customers answered within this time.
    service_level_percent = models.PositiveSmallIntegerField(default=80)
    service_level_minutes = models.PositiveIntegerField(default=60)
    #: Average handling time in minutes, used when there is too little history to measure it.
    handling_minutes = models.PositiveSmallIntegerField(default=6)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def new_webhook_key() -> str:
    return secrets.token_urlsafe(24)


class Channel(models.Model):
    """One account of the brand on one platform (a Facebook page, an X account, a mailbox …)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    slug = models.SlugField(max_length=63, validators=[slug_validator])
    name = models.CharField(max_length=200)
    settings = models.JSONField(default=dict, blank=True)
    #: Credentials (tokens, app secrets, passwords) as AES-GCM ciphertext; read them with :meth:`get_credentials`.
    credentials_encrypted = models.TextField(blank=True, default="", editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    #: The secret part of this channel's webhook URL (/hooks/<key>/): platforms reach one channel by it; the
    #: platform's signature, not this key, is what proves a delivery genuine.
    webhook_key = models.CharField(max_length=64, unique=True, default=new_webhook_key, editable=False)
    # -- health, as admins see it (webcare/channels/health.py writes these) ------------------------------------------
    health_status = models.CharField(max_length=16, default="unknown")
    health_detail = models.CharField(max_length=500, blank=True)
    health_checked_at = models.DateTimeField(null=True, blank=True)
    #: The sender's per-channel rate limit: nothing is sent on this channel before this time (also set from a
    #: platform's Retry-After, which pauses the whole channel).
    send_after = models.DateTimeField(default=timezone.now)
    #: Polling connectors' cursor (the newest review seen, an IMAP UID …) and when to poll next.
    poll_state = models.JSONField(default=dict, blank=True)
    poll_next_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="channel_slug_unique_per_org")]
        ordering = ["organisation_id", "kind", "slug"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def _credentials_aad(self) -> bytes:
        return f"channel:{self.organisation_id}:{self.slug}".encode()

    def set_credentials(self, values: dict[str, Any]) -> None:
        """Encrypt ``values`` into the row (saved by the caller)."""
        self.credentials_encrypted = crypto.encrypt_json(values, "channel-credentials", self._credentials_aad())

    def get_credentials(self) -> dict[str, Any]:
        """The decrypted credentials, or an empty dict when none are set."""
        if not self.credentials_encrypted:
            return {}
        return crypto.decrypt_json(self.credentials_encrypted, "channel-credentials", self._credentials_aad())


class Presence(models.TextChoices):
    """Whether an agent takes new work now. Nothing is assigned to an agent who is not online."""

    ONLINE = "online", "Online"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


class Agent(models.Model):
    """A Django user working for one organisation, with a role and a name customers see."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agents")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="agents")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    #: Languages the agent answers in (ISO 639-1), used by routing later.
    languages = models.JSONField(default=list, blank=True)
    #: The interface language the agent chose (a code of ``settings.LANGUAGES``); blank: the browser's.
    ui_language = models.CharField(max_length=8, blank=True, default="")
    # -- assignment (webcare/routing/assignment.py) ------------------------------------------------------------------
    presence = models.CharField(max_length=8, choices=Presence.choices, default=Presence.OFFLINE)
    presence_at = models.DateTimeField(null=True, blank=True)
    #: When an open inbox of the agent's last said it is there (its live stream writes this about once a minute). An
    #: agent "online" whose inbox has been gone for WEBCARE_PRESENCE_STALE_MINUTES is set away: nobody gets tickets
    #: after closing the laptop without signing out.
    seen_at = models.DateTimeField(null=True, blank=True)
    #: How many open tickets (new, open) the agent holds at most before automatic assignment skips them.
    capacity = models.PositiveSmallIntegerField(default=8)
    #: Channel kinds the agent works (skills); empty means every channel.
    channel_kinds = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="agent_unique_per_org")]

    def __str__(self) -> str:
        return f"{self.user.get_username()} @ {self.organisation.slug} ({self.role})"


class SignatureStyle(models.TextChoices):
    FIRST_NAME = "first_name", "First name"
    INITIALS = "initials", "Initials"


class AssignmentMode(models.TextChoices):
    """How a team's new tickets get an owner."""

    MANUAL = "manual", "Manual (agents take tickets)"
    ROUND_ROBIN = "round_robin", "Round-robin"
    LEAST_LOADED = "least_loaded", "Least loaded"


class Team(models.Model):
    """A group of agents that owns tickets (customer service, sales & marketing …)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    slug = models.SlugField(max_length=63, validators=[slug_validator])
    name = models.CharField(max_length=200)
    signature = models.CharField(max_length=16, choices=SignatureStyle.choices, default=SignatureStyle.FIRST_NAME)
    members = models.ManyToManyField(Agent, related_name="teams", blank=True)
    # -- assignment, escalation, overflow --------------------------------------------------------------------------
    assignment = models.CharField(max_length=16, choices=AssignmentMode.choices, default=AssignmentMode.MANUAL)
    #: The agent who got the team's last round-robin ticket (the next one goes to the member after them).
    last_assigned = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: An assigned ticket nobody touched for this many minutes goes back to the team's pool (0: never).
    reclaim_minutes = models.PositiveIntegerField(default=0)
    #: Who hears first when one of the team's tickets breaches its service level (then the escalation chain).
    supervisor = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="supervised_teams")
    #: The team whose members a supervisor can pull in when this team is swamped (webcare/supervision).
    overflow_team = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: Until when the overflow team's members also take this team's tickets (set by a supervisor in a surge).
    overflow_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="team_slug_unique_per_org")]
        ordering = ["organisation_id", "name"]

    def __str__(self) -> str:
        return self.name


TOKEN_PREFIX = "wc_"  # noqa: S105 - a visible prefix so leaked tokens are recognisable, not a secret  # nosec B105


def hash_token(secret: str) -> str:
    """SHA-256 of a token. Tokens carry 256 random bits, so a fast hash is enough (unlike a password)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A per-organisation API token. Only its hash is stored; the token is shown once when made."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=200)
    #: The first characters of the token, to tell tokens apart in lists without storing the secret.
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    #: May ask for personal data unmasked (``?reveal=<purpose>``; each such request is recorded as a reveal). Off by
    #: default: an integration gets masked data unless an admin decided it needs originals (webcare/access).
    can_reveal = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, organisation: Organisation, name: str, created_by: Any = None,
              can_reveal: bool = False) -> tuple[ApiToken, str]:
        """Make a token; returns the row and the plain token, which is never retrievable again."""
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            organisation=organisation,
            name=name,
            prefix=plain[:11],
            token_hash=hash_token(plain),
            created_by=created_by,
            can_reveal=can_reveal,
        )
        return token, plain
