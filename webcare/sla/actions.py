"""The only writers of service-level settings on behalf of a person (an organisation's admins, at ``/staff/sla/``):
policies and their order, each team's supervisor and escalation chain, the acknowledgement window.

Each function locks the organisation row (two admins' changes are serialised, so reordering stays consistent),
checks that ``actor`` is an active admin of it — the pages check too; this is defence in depth — validates every
input, and raises :class:`~webcare.tickets.actions.ActionError` naming the field at fault before anything is written:
a refused request leaves nothing half-stored. Changed targets apply to each ticket's clocks from its next change (a
message, a reply, a status change); due times already set are not rewritten in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from webcare.core.models import Agent, ChannelKind, Organisation, Role, Team
from webcare.sla.models import EscalationStep, SlaPolicy
from webcare.staff.actions import is_admin
from webcare.tickets.actions import ActionError
from webcare.tickets.models import Priority
from webcare.triage.intent import INTENTS

MAX_NAME: Final = 200
#: The longest target: a year of minutes (a policy promising more is a typo).
MAX_TARGET_MINUTES: Final = 365 * 24 * 60
MAX_STEPS: Final = 10
#: A week of minutes: the longest acknowledgement window.
MAX_ACK_MINUTES: Final = 7 * 24 * 60
#: Roles that can be a team's supervisor or an escalation step (analysts see aggregates, not tickets).
ESCALATION_ROLES: Final = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})


@dataclass
class PolicyValues:
    """Everything a policy form holds, as the action takes it (targets in minutes, None for no target)."""

    name: str = ""
    is_active: bool = True
    channel_kinds: list[str] = field(default_factory=list)
    priorities: list[int] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    business_hours: bool = True
    warn_percent: int = 75


@dataclass(frozen=True)
class StepValues:
    agent_id: int
    after_minutes: int


def _lock_as_admin(org: Organisation, actor: Any) -> Organisation:
    locked = Organisation.objects.select_for_update().get(pk=org.pk)
    if not is_admin(actor, locked):
        raise ActionError("actor", _("only an admin of %(org)s can change its service levels") % {"org": org.name})
    return locked


def _choices(field_name: str, values: Iterable[Any], allowed: Sequence[Any], what: str) -> list[Any]:
    """The values in the order given, without repeats, each one of ``allowed``."""
    chosen: list[Any] = []
    for value in values:
        if value not in allowed:
            raise ActionError(field_name, _("“%(value)s” is not %(what)s; use one of %(allowed)s")
                              % {"value": value, "what": what, "allowed": ", ".join(map(str, allowed))})
        if value not in chosen:
            chosen.append(value)
    return chosen


def _target(field_name: str, minutes: int | None) -> int | None:
    if minutes is None:
        return None
    if not isinstance(minutes, int) or minutes < 1:
        raise ActionError(field_name, _("a target is at least one minute; leave it empty for no target"))
    if minutes > MAX_TARGET_MINUTES:
        raise ActionError(field_name, _("a target can be at most a year"))
    return minutes


def clean_policy(org: Organisation, values: PolicyValues) -> PolicyValues:
    """``values`` checked and normalised; raises :class:`ActionError` naming the first field at fault."""
    name = (values.name or "").strip()
    if not name:
        raise ActionError("name", _("a policy needs a name"))
    if len(name) > MAX_NAME:
        raise ActionError("name", _("at most %(n)d characters") % {"n": MAX_NAME})
    kinds = _choices("channel_kinds", values.channel_kinds, ChannelKind.values, _("a channel kind"))
    priorities = _choices("priorities", values.priorities, Priority.values, _("a priority"))
    intents = _choices("intents", values.intents, INTENTS, _("an intent"))
    team_ids = list(dict.fromkeys(values.team_ids))
    found = set(Team.objects.filter(organisation=org, pk__in=team_ids).values_list("pk", flat=True))
    if missing := [pk for pk in team_ids if pk not in found]:
        raise ActionError("team_ids", _("team %(id)s is not a team of this organisation") % {"id": missing[0]})
    first = _target("first_response_minutes", values.first_response_minutes)
    following = _target("next_response_minutes", values.next_response_minutes)
    resolution = _target("resolution_minutes", values.resolution_minutes)
    if first is None and following is None and resolution is None:
        raise ActionError("first_response_minutes", _("give at least one target"))
    if not isinstance(values.warn_percent, int) or not 1 <= values.warn_percent <= 100:
        raise ActionError("warn_percent", _("the warning share is a whole number from 1 to 100 (100: no warning)"))
    return PolicyValues(name=name, is_active=bool(values.is_active), channel_kinds=kinds, priorities=priorities,
                        team_ids=team_ids, intents=intents, first_response_minutes=first,
                        next_response_minutes=following, resolution_minutes=resolution,
                        business_hours=bool(values.business_hours), warn_percent=values.warn_percent)


def _write(policy: SlaPolicy, values: PolicyValues) -> None:
    for name in ("name", "is_active", "channel_kinds", "priorities", "intents", "first_response_minutes",
                 "next_response_minutes", "resolution_minutes", "business_hours", "warn_percent"):
        setattr(policy, name, getattr(values, name))
    policy.save()
    policy.teams.set(values.team_ids)


def add_policy(org: Organisation, actor: Any, values: PolicyValues) -> SlaPolicy:
    """A new policy, last in the order (so it never silently takes tickets from the ones above it)."""
    with transaction.atomic():
        locked = _lock_as_admin(org, actor)
        cleaned = clean_policy(locked, values)
        last = SlaPolicy.objects.filter(organisation=locked).aggregate(m=Max("position"))["m"]
        policy = SlaPolicy(organisation=locked, position=0 if last is None else last + 1)
        _write(policy, cleaned)
        return policy


def change_policy(policy: SlaPolicy, actor: Any, values: PolicyValues) -> SlaPolicy:
    with transaction.atomic():
        locked = _lock_as_admin(policy.organisation, actor)
        current = SlaPolicy.objects.select_for_update().get(pk=policy.pk, organisation=locked)
        _write(current, clean_policy(locked, values))
        return current


def delete_policy(policy: SlaPolicy, actor: Any) -> None:
    """Delete a policy; its tickets keep their due times until their next change chooses again."""
    with transaction.atomic():
        locked = _lock_as_admin(policy.organisation, actor)
        SlaPolicy.objects.filter(pk=policy.pk, organisation=locked).delete()


def move_policy(policy: SlaPolicy, actor: Any, direction: str) -> None:
    """Move a policy one place up or down the order (the positions are renumbered 0, 1, 2 … in the new order)."""
    if direction not in ("up", "down"):
        raise ActionError("direction", _("move a policy up or down"))
    with transaction.atomic():
        locked = _lock_as_admin(policy.organisation, actor)
        ordered = list(SlaPolicy.objects.select_for_update().filter(organisation=locked).order_by("position", "id"))
        index = next((i for i, p in enumerate(ordered) if p.pk == policy.pk), None)
        if index is None:
            raise ActionError("policy", _("this policy belongs to another organisation"))
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])


def set_escalation(team: Team, actor: Any, supervisor_id: int | None, steps: Sequence[StepValues]) -> None:
    """Set a team's supervisor (told at the breach) and its escalation chain (told ``after_minutes`` after it, in
    order). The steps' minutes must grow along the chain; the whole chain is replaced at once."""
    with transaction.atomic():
        locked = _lock_as_admin(team.organisation, actor)
        current = Team.objects.select_for_update().get(pk=team.pk, organisation=locked)
        wanted = {pk for pk in [supervisor_id, *(s.agent_id for s in steps)] if pk is not None}
        agents = {a.pk: a for a in Agent.objects.filter(organisation=locked, pk__in=wanted).select_related("user")}
        if supervisor_id is not None:
            _check_agent("supervisor", agents.get(supervisor_id))
        if len(steps) > MAX_STEPS:
            raise ActionError("steps", _("an escalation chain has at most %(n)d steps") % {"n": MAX_STEPS})
        previous = 0
        for number, step in enumerate(steps, start=1):
            field_name = f"steps.{number}"
            _check_agent(field_name, agents.get(step.agent_id), _("step %(n)d: ") % {"n": number})
            if not isinstance(step.after_minutes, int) or step.after_minutes < 1:
                raise ActionError(field_name, _("step %(n)d: give the minutes after the breach (at least 1)")
                                  % {"n": number})
            if step.after_minutes > MAX_TARGET_MINUTES:
                raise ActionError(field_name, _("step %(n)d: at most a year after the breach") % {"n": number})
            if step.after_minutes <= previous:
                raise ActionError(field_name, _("step %(n)d: each step comes later than the one before it "
                                                "(more minutes after the breach)") % {"n": number})
            previous = step.after_minutes
        current.supervisor_id = supervisor_id
        current.save(update_fields=["supervisor"])
        EscalationStep.objects.filter(team=current).delete()
        EscalationStep.objects.bulk_create([
            EscalationStep(team=current, position=i, agent_id=step.agent_id, after_minutes=step.after_minutes)
            for i, step in enumerate(steps)])


def _check_agent(field_name: str, agent: Agent | None, prefix: str = "") -> None:
    if agent is None:
        raise ActionError(field_name, prefix + _("choose an agent of this organisation"))
    if agent.role not in ESCALATION_ROLES:
        raise ActionError(field_name, prefix + _("an analyst sees figures, not tickets: choose an agent, supervisor "
                                                 "or admin"))
    if not agent.user.is_active:
        raise ActionError(field_name, prefix + _("%(name)s's account is deactivated")
                          % {"name": agent.user.get_full_name() or agent.user.get_username()})


def set_ack_window(org: Organisation, actor: Any, minutes: int) -> None:
    """How long a customer waits before the one automatic holding reply (0: never)."""
    if not isinstance(minutes, int) or not 0 <= minutes <= MAX_ACK_MINUTES:
        raise ActionError("ack_window_minutes", _("give 0 (off) up to a week"))
    with transaction.atomic():
        locked = _lock_as_admin(org, actor)
        locked.ack_window_minutes = minutes
        locked.save(update_fields=["ack_window_minutes"])
        org.ack_window_minutes = minutes
