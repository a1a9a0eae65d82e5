"""The only writers of retention policies: an organisation's admins (``/staff/retention/``) and the defaults.

Each change locks the organisation row (two admins' changes are serialised, so the duplicate check holds), checks
that ``actor`` is an active admin of it, validates every input before anything is written — raising
:class:`~webcare.tickets.actions.ActionError` naming the field — and writes an audit entry
(``privacy.retention_policy``) in the same transaction: who shortened or lengthened how long personal data is kept
is itself something a data-protection officer must be able to see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from webcare.audit import actions as audited
from webcare.audit.log import record
from webcare.core.models import ChannelKind, Organisation
from webcare.retention.models import PER_CHANNEL, DataKind, RetentionPolicy, RetentionSetup
from webcare.retention.plan import DEFAULT_DAYS, MAX_DAYS
from webcare.staff.actions import is_admin
from webcare.tickets.actions import ActionError


@dataclass(frozen=True)
class PolicyValues:
    """A policy as the form or a caller gives it; ``days`` as typed (checked here)."""

    data_kind: str
    channel_kind: str
    days: Any


def _lock_as_admin(org: Organisation, actor: Any) -> Organisation:
    locked = Organisation.objects.select_for_update().get(pk=org.pk)
    if not is_admin(actor, locked):
        raise ActionError("actor", _("only an admin of %(org)s can change how long its data is kept")
                          % {"org": org.name})
    return locked


def _days(value: Any) -> int:
    text = str(value if value is not None else "").strip()
    if isinstance(value, bool) or not text.isdigit():
        raise ActionError("days", _("give the number of days as a whole number, at least 1"))
    days = int(text)
    if days < 1:
        raise ActionError("days", _("keep data at least 1 day"))
    if days > MAX_DAYS:
        raise ActionError("days", _("at most %(n)d days (ten years)") % {"n": MAX_DAYS})
    return days


def clean(org: Organisation, values: PolicyValues, policy: RetentionPolicy | None = None) -> PolicyValues:
    """``values`` checked; raises :class:`ActionError` naming the first field at fault."""
    if values.data_kind not in DataKind.values:
        raise ActionError("data_kind", _("choose what to remove from the list"))
    if values.channel_kind and values.channel_kind not in ChannelKind.values:
        raise ActionError("channel_kind", _("choose a channel kind from the list, or every channel"))
    if values.channel_kind and values.data_kind not in PER_CHANNEL:
        raise ActionError("channel_kind", _("%(kind)s belong to no channel: choose every channel")
                          % {"kind": DataKind(values.data_kind).label})
    days = _days(values.days)
    twin = RetentionPolicy.objects.filter(organisation=org, channel_kind=values.channel_kind,
                                          data_kind=values.data_kind)
    if policy is not None:
        twin = twin.exclude(pk=policy.pk)
    if twin.exists():
        where = ChannelKind(values.channel_kind).label if values.channel_kind else _("every channel")
        raise ActionError("channel_kind", _("there is already a policy for %(kind)s on %(where)s: change that one")
                          % {"kind": DataKind(values.data_kind).label, "where": where})
    return PolicyValues(data_kind=values.data_kind, channel_kind=values.channel_kind, days=days)


def _audit(org: Organisation, actor: Any, change: str, policy: RetentionPolicy, old_days: int | None = None) -> None:
    detail: dict[str, Any] = {"change": change, "data_kind": policy.data_kind,
                              "channel_kind": policy.channel_kind or "*", "days": policy.days}
    if old_days is not None:
        detail["old_days"] = old_days
    record(audited.RETENTION_POLICY, organisation=org, actor=actor, target=f"retention_policy:{policy.pk}",
           detail=detail)


def add_policy(org: Organisation, actor: Any, values: PolicyValues) -> RetentionPolicy:
    with transaction.atomic():
        locked = _lock_as_admin(org, actor)
        cleaned = clean(locked, values)
        try:
            with transaction.atomic():
                policy = RetentionPolicy.objects.create(organisation=locked, data_kind=cleaned.data_kind,
                                                        channel_kind=cleaned.channel_kind, days=cleaned.days)
        except IntegrityError as exc:  # pragma: no cover - the lock makes the check above decide
            raise ActionError("channel_kind", _("there is already a policy for this")) from exc
        _audit(locked, actor, "added", policy)
        return policy


def change_policy(policy: RetentionPolicy, actor: Any, values: PolicyValues) -> RetentionPolicy:
    with transaction.atomic():
        locked = _lock_as_admin(policy.organisation, actor)
        current = RetentionPolicy.objects.select_for_update().get(pk=policy.pk, organisation=locked)
        cleaned = clean(locked, values, current)
        old_days = current.days
        current.data_kind, current.channel_kind, current.days = cleaned.data_kind, cleaned.channel_kind, cleaned.days
        current.updated_at = timezone.now()
        current.save()
        _audit(locked, actor, "changed", current, old_days)
        return current


def delete_policy(policy: RetentionPolicy, actor: Any) -> None:
    with transaction.atomic():
        locked = _lock_as_admin(policy.organisation, actor)
        current = RetentionPolicy.objects.select_for_update().filter(pk=policy.pk, organisation=locked).first()
        if current is None:
            return
        _audit(locked, actor, "deleted", current)
        current.delete()


def ensure_default_policies(org: Organisation) -> int:
    """Give ``org`` the default policies (:data:`~webcare.retention.plan.DEFAULT_DAYS`, every channel) once;
    returns how many were made. Called by the daily run and by the retention page, so a new organisation is
    covered from its first day; an admin who later deletes one keeps it deleted (the setup row remembers)."""
    if RetentionSetup.objects.filter(organisation=org).exists():
        return 0
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=org.pk)
        _, created = RetentionSetup.objects.get_or_create(organisation=locked)
        if not created:
            return 0
        existing = set(RetentionPolicy.objects.filter(organisation=locked, channel_kind="")
                       .values_list("data_kind", flat=True))
        made = [RetentionPolicy(organisation=locked, data_kind=kind, channel_kind="", days=days)
                for kind, days in DEFAULT_DAYS.items() if kind not in existing]
        RetentionPolicy.objects.bulk_create(made)
        if made:
            record(audited.RETENTION_POLICY, organisation=locked, actor_label="system",
                   target=f"organisation:{locked.pk}",
                   detail={"change": "defaults", "policies": {p.data_kind: p.days for p in made}})
        return len(made)
