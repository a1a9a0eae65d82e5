"""Notifications written in each recipient's own interface language.

Why here and not in webcare.notify: a notification's title and body are stored text, so they must be put into words
when they are written — once per language among the recipients, not once for all (a Finnish supervisor reads the
surge alert in Finnish, a Dutch one in Dutch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.utils import translation

from webcare.core.models import Agent
from webcare.notify.send import notify


def notify_agents(organisation_id: int, agents: Iterable[Agent], kind: str, text: Callable[[], tuple[str, str]],
                  url: str) -> int:
    """Notify the agents' users; ``text()`` gives (title, body) and is called once per language, inside it.
    Returns how many notifications were written."""
    by_language: dict[str, list[Any]] = {}
    for agent in agents:
        by_language.setdefault(agent.ui_language or settings.LANGUAGE_CODE, []).append(agent.user)
    written = 0
    for language, users in sorted(by_language.items()):
        with translation.override(language):
            title, body = text()
        written += len(notify(organisation_id, users, kind, title, body=body, url=url))
    return written
