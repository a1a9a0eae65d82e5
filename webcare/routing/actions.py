"""The only writers of routing rules on behalf of a person (an organisation's admins, from ``/staff/routing/``).

Each function runs in one transaction, locks the organisation row first and checks that ``actor`` is an admin of
it (the pages check too; this is defence in depth). The lock is what keeps the rules' positions dense (0, 1, 2 …)
and unique when two admins move, add or delete rules at the same moment: the second waits, then reads the order
the first left. A refused request raises :class:`~webcare.tickets.actions.ActionError` naming the field and stores
nothing; an invalid rule raises :class:`RuleRefused`, which carries every problem found.
"""

from __future__ import annotations

from typing import Any, Final

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from webcare.core.models import Agent, Channel, Organisation, Team
from webcare.routing.models import RoutingRule
from webcare.routing.rules import Context, Rule, RuleError, parse_rule
from webcare.staff.actions import is_admin
from webcare.tickets.actions import ASSIGNABLE_ROLES, ActionError

UP: Final = "up"
DOWN: Final = "down"


class RuleRefused(ActionError):
    """A rule that cannot be saved: ``errors`` lists (field path, message) for every problem, the first also being
    the :class:`ActionError`'s own field and message."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors[0][0], errors[0][1])
        self.errors = errors


def rule_context(org: Organisation) -> Context:
    """What a rule of ``org`` may name: its teams, the people who can take tickets, its channels."""
    return Context(
        teams=frozenset(Team.objects.filter(organisation=org).values_list("slug", flat=True)),
        assignees=frozenset(Agent.objects.filter(organisation=org, role__in=ASSIGNABLE_ROLES, user__is_active=True)
                            .values_list("user__username", flat=True)),
        channels=frozenset(Channel.objects.filter(organisation=org).values_list("slug", flat=True)),
    )


def _lock_as_admin(org: Organisation, actor: Any) -> Organisation:
    """Serialise rule changes in ``org`` and refuse anybody but its admins."""
    locked = Organisation.objects.select_for_update().get(pk=org.pk)
    if not is_admin(actor, locked):
        raise ActionError("actor", _("only an admin of %(org)s can change its routing rules") % {"org": org.name})
    return locked


def _ordered(org: Organisation) -> list[RoutingRule]:
    return list(RoutingRule.objects.filter(organisation=org).order_by("position", "id"))


def _renumber(rules: list[RoutingRule]) -> None:
    """Positions 0, 1, 2 … in the list's order; only rows whose position changes are written."""
    changed = []
    for position, rule in enumerate(rules):
        if rule.position != position:
            rule.position = position
            changed.append(rule)
    if changed:
        RoutingRule.objects.bulk_update(changed, ["position"])


def _current(org: Organisation, rule: RoutingRule) -> RoutingRule:
    found = RoutingRule.objects.filter(pk=rule.pk, organisation=org).first()
    if found is None:
        raise ActionError("rule", _("this rule was deleted meanwhile"))
    return found


def _parse(org: Organisation, data: dict[str, Any], rule_id: int | None) -> Rule:
    try:
        parsed = parse_rule(data, rule_context(org), rule_id)
    except RuleError as exc:
        raise RuleRefused(exc.errors) from None
    others = RoutingRule.objects.filter(organisation=org, name__iexact=parsed.name)
    if rule_id is not None:
        others = others.exclude(pk=rule_id)
    if others.exists():
        raise RuleRefused([("name", _("another rule is called “%(name)s”; the ticket timeline names rules, so give "
                                      "each its own name") % {"name": parsed.name})])
    return parsed


@transaction.atomic
def do_save_rule(org: Organisation, actor: Any, data: dict[str, Any], rule: RoutingRule | None = None
                 ) -> RoutingRule:
    """Add a rule (at the end of the list) or change ``rule``. ``data``: ``name``, ``conditions`` (a list of
    ``{"field", "op", "value"}``), ``actions``, ``stop``, ``is_active`` — checked by
    :func:`webcare.routing.rules.parse_rule` with the organisation's teams, agents and channels."""
    org = _lock_as_admin(org, actor)
    row = _current(org, rule) if rule is not None else None
    parsed = _parse(org, data, row.pk if row is not None else None)
    now = timezone.now()
    if row is None:
        rules = _ordered(org)
        _renumber(rules)
        row = RoutingRule(organisation=org, position=len(rules), created_at=now)
    row.name = parsed.name
    row.conditions = parsed.conditions_json()
    row.actions = parsed.actions.as_json()
    row.stop = parsed.stop
    row.is_active = parsed.is_active
    row.updated_at = now
    row.save()
    return row


@transaction.atomic
def do_move_rule(rule: RoutingRule, actor: Any, direction: str) -> int:
    """Move ``rule`` one place up or down; returns its new position (unchanged at either end of the list)."""
    if direction not in (UP, DOWN):
        raise ActionError("direction", _("move a rule up or down"))
    org = _lock_as_admin(rule.organisation, actor)
    rules = _ordered(org)
    index = next((i for i, row in enumerate(rules) if row.pk == rule.pk), None)
    if index is None:
        raise ActionError("rule", _("this rule was deleted meanwhile"))
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
        index = other
    _renumber(rules)
    return index


@transaction.atomic
def do_set_rule_active(rule: RoutingRule, actor: Any, active: bool) -> RoutingRule:
    """Switch a rule on or off; an inactive rule keeps its place and is skipped by routing and the test mode."""
    org = _lock_as_admin(rule.organisation, actor)
    row = _current(org, rule)
    if row.is_active != active:
        row.is_active = active
        row.updated_at = timezone.now()
        row.save(update_fields=["is_active", "updated_at"])
    return row


@transaction.atomic
def do_delete_rule(rule: RoutingRule, actor: Any) -> None:
    """Delete a rule; the rules below move up a place. Tickets it routed keep their team, and their timeline keeps
    its name."""
    org = _lock_as_admin(rule.organisation, actor)
    _current(org, rule).delete()
    _renumber(_ordered(org))
