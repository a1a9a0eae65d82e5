"""Changing an organisation's list of reveal purposes: the only writers of :class:`RevealPurpose`.

The first change turns the built-in defaults into the organisation's own rows (in their current language), so an
admin edits the list they see. The organisation row is locked while the list changes, so two admins editing at once
cannot both materialise the defaults. Refusals name the field and store nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from webcare.access.models import RevealPurpose
from webcare.access.purposes import OTHER, default_purposes
from webcare.core.models import Agent, Organisation, Role
from webcare.tickets.actions import ActionError

MAX_LABEL = 120
MAX_PURPOSES = 30


def _check(agent: Agent) -> None:
    if agent.role != Role.ADMIN:
        raise PermissionDenied("Only admins change the purposes.")


def _materialise(organisation_id: int) -> None:
    """Lock the organisation; give it its own rows (the defaults) if it has none yet."""
    Organisation.objects.select_for_update().get(pk=organisation_id)
    if RevealPurpose.objects.filter(organisation_id=organisation_id).exists():
        return
    RevealPurpose.objects.bulk_create([
        RevealPurpose(organisation_id=organisation_id, key=p.key, label=p.label, needs_reason=p.needs_reason,
                      position=i) for i, p in enumerate(default_purposes())])


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise ActionError("label", _("Write what the purpose is."))
    if len(label) > MAX_LABEL:
        raise ActionError("label", _("A purpose can have at most %(max)d characters.") % {"max": MAX_LABEL})
    return label


def do_add_purpose(agent: Agent, label: str, needs_reason: bool) -> RevealPurpose:
    """Add a purpose at the end of the list (before "other")."""
    _check(agent)
    label = _clean_label(label)
    with transaction.atomic():
        _materialise(agent.organisation_id)
        rows = RevealPurpose.objects.filter(organisation_id=agent.organisation_id)
        if rows.count() >= MAX_PURPOSES:
            raise ActionError("label", _("An organisation can have at most %(max)d purposes.") % {"max": MAX_PURPOSES})
        if rows.filter(label__iexact=label).exists():
            raise ActionError("label", _("There is already a purpose with this text."))
        base = slugify(label)[:32] or "purpose"
        key, n = base, 2
        while rows.filter(key=key).exists():
            key, n = f"{base}-{n}", n + 1
        position = max(rows.exclude(key=OTHER).values_list("position", flat=True), default=0) + 1
        rows.filter(key=OTHER, position__lte=position).update(position=position + 1)
        return RevealPurpose.objects.create(organisation_id=agent.organisation_id, key=key, label=label,
                                            needs_reason=needs_reason, position=position)


def do_change_purpose(agent: Agent, key: str, label: str, needs_reason: bool, active: bool) -> RevealPurpose:
    """Rename a purpose, say whether it needs a written reason, switch it on or off. "Other" always needs a reason,
    and at least one purpose stays on (a reveal must always be possible). Past reveals keep the text they had."""
    _check(agent)
    label = _clean_label(label)
    with transaction.atomic():
        _materialise(agent.organisation_id)
        rows = RevealPurpose.objects.filter(organisation_id=agent.organisation_id)
        purpose = rows.filter(key=key).first()
        if purpose is None:
            raise ActionError("key", _("There is no such purpose."))
        if key == OTHER and not needs_reason:
            raise ActionError("needs_reason", _("“Other” always needs a written reason."))
        if not active and not rows.filter(active=True).exclude(pk=purpose.pk).exists():
            raise ActionError("active", _("Keep at least one purpose switched on."))
        if rows.filter(label__iexact=label).exclude(pk=purpose.pk).exists():
            raise ActionError("label", _("There is already a purpose with this text."))
        purpose.label, purpose.needs_reason, purpose.active = label, needs_reason, active
        purpose.save(update_fields=["label", "needs_reason", "active"])
        return purpose
