"""The rules a new organisation starts with, so a desk routes sensibly before anyone has written a rule.

Spam is set aside (labelled, solved, never assigned), sales leads go to sales and marketing, questions and complaints
to customer service; praise and chit-chat stay in the shared pool. Admins change or delete them like any rule.
"""

from __future__ import annotations

from typing import Any, Final

from django.db import transaction

from webcare.core.models import Organisation, Team
from webcare.routing.models import RoutingRule
from webcare.routing.rules import parse_rule

SALES_TEAM: Final = ("sales-marketing", "Sales & marketing")
SERVICE_TEAM: Final = ("customer-service", "Customer service")

#: Words that are spam on any brand's channels and that the intent cues (webcare/triage/lexicons/intent) do not
#: already catch.
SPAM_WORDS: Final = ("viagra", "cialis", "casino bonus", "free spins", "onlyfans", "buy followers", "free followers",
                     "cheap followers", "seo services", "adult dating")

DEFAULT_RULES: Final[tuple[dict[str, Any], ...]] = (
    {"name": "Spam", "conditions": [{"field": "intent", "op": "is", "value": "spam"}],
     "actions": {"spam": True}},
    {"name": "Spam words", "conditions": [{"field": "keywords", "op": "contains", "value": list(SPAM_WORDS)}],
     "actions": {"spam": True}},
    {"name": "Sales leads to sales", "conditions": [{"field": "intent", "op": "is", "value": "sales_lead"}],
     "actions": {"team": SALES_TEAM[0]}},
    {"name": "Questions and complaints to customer service",
     "conditions": [{"field": "intent", "op": "in", "value": ["question", "complaint"]}],
     "actions": {"team": SERVICE_TEAM[0]}},
)


def _team(org: Organisation, slug: str, name: str) -> Team:
    """The team with this slug, else one the admins already made under this name, else a new one."""
    team = (Team.objects.filter(organisation=org, slug=slug).first()
            or Team.objects.filter(organisation=org, name__iexact=name).order_by("pk").first())
    return team or Team.objects.create(organisation=org, slug=slug, name=name)


def ensure_default_rules(org: Organisation) -> int:
    """Give ``org`` the default rules (and the two teams they name) if it has no rules at all; returns how many
    rules were made (0 when it had rules already, so calling it again changes nothing)."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=org.pk)  # two first runs at once make one set
        if RoutingRule.objects.filter(organisation=locked).exists():
            return 0
        slugs = {slug: _team(locked, slug, name).slug for slug, name in (SALES_TEAM, SERVICE_TEAM)}
        specs = [spec | {"actions": spec["actions"] | {"team": slugs[spec["actions"]["team"]]}}
                 if "team" in spec["actions"] else spec for spec in DEFAULT_RULES]
        rules = [parse_rule(spec) for spec in specs]
        RoutingRule.objects.bulk_create([
            RoutingRule(organisation=locked, name=rule.name, position=position, conditions=rule.conditions_json(),
                        actions=rule.actions.as_json(), stop=rule.stop, is_active=True)
            for position, rule in enumerate(rules)
        ])
        return len(rules)
