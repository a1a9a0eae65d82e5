"""The signature under every reply from the inbox: the agent's first name or initials, chosen per team.

Why: customers should meet a person, not a brand account ("personal, not canned"), and some teams prefer initials
for privacy. The signature is added by the server when the reply is sent, and shown under the composer beforehand,
so it is never forgotten and never a surprise.
"""

from __future__ import annotations

from typing import Any

from webcare.core.models import Agent, SignatureStyle, Team
from webcare.tickets.models import Ticket

#: What goes before the name: a new line and an en dash ("– Kari").
PREFIX = "– "


def full_name(user: Any) -> str:
    return f"{user.first_name} {user.last_name}".strip()


def initials(name: str) -> str:
    """The first letter of each part of a name: "Kari Nordmann" -> "KN", "Anne-Lise Berg" -> "ALB",
    "Øystein Ås" -> "ØÅ", "Sanne de Vries" -> "SDV"."""
    letters = []
    for word in name.split():
        for part in word.split("-"):
            first = next((char for char in part if char.isalpha()), "")
            if first:
                letters.append(first.upper())
    return "".join(letters)


def signature(user: Any, style: str = SignatureStyle.FIRST_NAME) -> str:
    """The signature of ``user`` in ``style``; a user without a name is signed with their username."""
    if style == SignatureStyle.INITIALS:
        return initials(full_name(user)) or user.get_username()
    return user.first_name.strip() or user.get_username()


def _already_signed(text: str, signature_text: str) -> bool:
    """Whether ``text`` already ends with the signature as a word ("Mvh Kari", "/Kari", "– Kari", not "Ekari")."""
    if not text.casefold().endswith(signature_text.casefold()):
        return False
    before = text[: len(text) - len(signature_text)]
    return not before or not before[-1].isalnum()


def sign(text: str, signature_text: str) -> str:
    """``text`` with "\\n– <signature>" appended, unless it already ends with the signature (an agent who signed by
    hand, or a draft sent a second time, is not signed twice)."""
    text = text.rstrip()
    signature_text = signature_text.strip()
    if not signature_text or not text or _already_signed(text, signature_text):
        return text
    return f"{text}\n{PREFIX}{signature_text}"


def team_for_signature(ticket: Ticket, agent: Agent) -> Team | None:
    """The team whose signature style applies: the ticket's team when the agent is in it, else the agent's first
    team by name, else None (then the first name is used)."""
    teams = list(agent.teams.order_by("name", "pk"))
    for team in teams:
        if team.pk == ticket.team_id:
            return team
    return teams[0] if teams else None


def signature_for(ticket: Ticket, agent: Agent) -> str:
    """The signature ``agent`` signs replies on ``ticket`` with."""
    team = team_for_signature(ticket, agent)
    return signature(agent.user, team.signature if team else SignatureStyle.FIRST_NAME)
