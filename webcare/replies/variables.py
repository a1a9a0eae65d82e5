"""The variables a canned response may use, and how they are filled in.

Why so few and so strict: a canned response is a starting point the agent edits, not a mail merge. Three variables
cover what makes a reply personal (whom it is for, who writes, which case it is); a misspelt one is refused when the
response is saved, because otherwise it would reach a customer as ``{customer_name}``. A variable without a value
(a customer who never gave a name) stays in the text as it is, so the agent sees the gap and fills it in; the inbox
refuses to send a reply that still holds one.

Pure functions on strings: no database, so the rules are tested in isolation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

CUSTOMER_FIRST_NAME: Final = "customer_first_name"
AGENT_FIRST_NAME: Final = "agent_first_name"
TICKET_NUMBER: Final = "ticket_number"
#: Every variable a body may use, in the order they are offered to people writing responses.
KNOWN: Final = (CUSTOMER_FIRST_NAME, AGENT_FIRST_NAME, TICKET_NUMBER)

#: ``{name}`` with a name that looks like an identifier; other braces (a smiley ``{:``, JSON) are left alone.
_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _in_order(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def placeholder(name: str) -> str:
    return "{" + name + "}"


def known_list() -> str:
    """``{a}, {b} or {c}`` for error messages."""
    names = [placeholder(name) for name in KNOWN]
    return ", ".join(names[:-1]) + " or " + names[-1]


def check(body: str) -> list[str]:
    """The unknown variable names in ``body`` (first occurrence order, each once); empty when all are known."""
    return _in_order(name for name in _VARIABLE.findall(body) if name not in KNOWN)


def render(body: str, values: Mapping[str, str]) -> str:
    """``body`` with each known variable replaced by its value; a variable without a (non-blank) value is kept."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name, "") if name in KNOWN else ""
        return value if value.strip() else match.group(0)

    return _VARIABLE.sub(fill, body)


def unfilled(text: str) -> list[str]:
    """The known variables still in ``text`` (each once, in order): what the agent has yet to fill in."""
    return _in_order(name for name in _VARIABLE.findall(text) if name in KNOWN)


def first_word(name: str) -> str:
    """The first word of a name that has a letter in it, without surrounding punctuation.

    "Kari Nordmann" -> "Kari", "🌸 Lise-Marie B." -> "Lise-Marie", "@@@" -> "". Hyphens and apostrophes inside a
    word are kept (Anne-Lise, D'Angelo).
    """
    for word in name.split():
        stripped = word.strip("\"'.,;:!?()[]{}<>«»“”‘’*_~@#")
        if any(char.isalpha() for char in stripped):
            return stripped
    return ""


def customer_first_name(customer_name: str, display_names: Iterable[str] = ()) -> str:
    """The customer's first name: from the name on the customer record, else from the first display name the
    platforms gave that has a word in it; empty when there is none."""
    for name in (customer_name, *display_names):
        word = first_word(name or "")
        if word:
            return word
    return ""


def agent_first_name(first_name: str, username: str) -> str:
    """The agent's first name as set on their account, else their username."""
    return first_name.strip() or username
