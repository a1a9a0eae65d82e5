"""Hand-written demo conversations for Fjordnett, one module per language plus the special stories.

Why: the demo is what a newcomer sees first, so it must read like a real desk in seven languages. Ordinary traffic
lives in the language modules (``nb``, ``nn``, ``da``, ``sv``, ``fi``, ``nl``, ``en``); the stories the demo wants to
show off (the Bergen outage, trolls, personal data in public comments, sales leads) have modules of their own, so they
are easy to find and to check.
"""

from __future__ import annotations

from webcare.demo.content import da, en, fi, leads, nb, nl, nn, outage, pii, sv, trolls
from webcare.demo.content.base import Convo


def all_conversations() -> list[Convo]:
    """Every conversation of the demo, in a fixed order (the scenario's randomness depends on it)."""
    return [
        *nb.CONVERSATIONS,
        *nn.CONVERSATIONS,
        *da.CONVERSATIONS,
        *sv.CONVERSATIONS,
        *fi.CONVERSATIONS,
        *nl.CONVERSATIONS,
        *en.CONVERSATIONS,
        *outage.CONVERSATIONS,
        *trolls.CONVERSATIONS,
        *pii.CONVERSATIONS,
        *leads.CONVERSATIONS,
    ]
