"""Which service-level policy applies to a ticket: the first active policy, in the organisation's order, whose
conditions all hold. An empty condition matches everything, so the last policy can be the catch-all default.

The choice (:func:`choose`) is pure; :func:`load` reads every policy of a set of organisations in two queries, once
per batch, so choosing for thousands of tickets costs no further queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from webcare.sla.clocks import Targets
from webcare.sla.models import SlaPolicy


@dataclass(frozen=True)
class PolicyRule:
    """One policy as the choice and the clocks need it (no database rows)."""

    id: int
    name: str
    position: int
    channel_kinds: frozenset[str]
    priorities: frozenset[int]
    team_ids: frozenset[int]
    intents: frozenset[str]
    targets: Targets

    def matches(self, *, channel_kind: str, priority: int, team_id: int | None, intents: Iterable[str]) -> bool:
        """All given conditions hold: the channel's kind, the priority and the team are among the listed ones, and
        at least one of the ticket's intents is listed."""
        if self.channel_kinds and channel_kind not in self.channel_kinds:
            return False
        if self.priorities and priority not in self.priorities:
            return False
        if self.team_ids and team_id not in self.team_ids:
            return False
        return not self.intents or not self.intents.isdisjoint(intents)


def choose(rules: Sequence[PolicyRule], *, channel_kind: str, priority: int, team_id: int | None,
           intents: Iterable[str]) -> PolicyRule | None:
    """The first of ``rules`` (already in order) that matches the ticket; None when none does."""
    wanted = tuple(intents)
    for rule in rules:
        if rule.matches(channel_kind=channel_kind, priority=priority, team_id=team_id, intents=wanted):
            return rule
    return None


def rule_of(policy: SlaPolicy, team_ids: Iterable[int]) -> PolicyRule:
    return PolicyRule(
        id=policy.pk, name=policy.name, position=policy.position,
        channel_kinds=frozenset(policy.channel_kinds or ()),
        priorities=frozenset(int(p) for p in policy.priorities or ()),
        team_ids=frozenset(team_ids), intents=frozenset(policy.intents or ()),
        targets=Targets(first_response_minutes=policy.first_response_minutes,
                        next_response_minutes=policy.next_response_minutes,
                        resolution_minutes=policy.resolution_minutes, business_hours=policy.business_hours,
                        warn_percent=policy.warn_percent),
    )


def load(organisation_ids: Iterable[int]) -> dict[int, list[PolicyRule]]:
    """Organisation id → its active policies in order (two queries, whatever the number of organisations)."""
    ids = set(organisation_ids)
    found: dict[int, list[PolicyRule]] = {pk: [] for pk in ids}
    if not ids:
        return found
    policies = list(SlaPolicy.objects.filter(organisation_id__in=ids, is_active=True)
                    .order_by("organisation_id", "position", "id"))
    teams: dict[int, list[int]] = defaultdict(list)
    through = SlaPolicy.teams.through
    for policy_id, team_id in through.objects.filter(slapolicy_id__in=[p.pk for p in policies]).values_list(
            "slapolicy_id", "team_id"):
        teams[policy_id].append(team_id)
    for policy in policies:
        found[policy.organisation_id].append(rule_of(policy, teams[policy.pk]))
    return found
