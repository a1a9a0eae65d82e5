"""The only writers of canned responses: create, update, deactivate — validated, atomic, for supervisors and admins.

Why here and not in a form's ``save()``: the management page, the admin and the demo loader must apply the same rules
(a misspelt variable would reach customers), and a refused request must leave nothing half-stored. Errors are
:class:`webcare.tickets.actions.ActionError` naming the field, as everywhere else in webcare.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from webcare.core.models import Agent, Organisation, Role, Team
from webcare.replies import variables
from webcare.replies.models import MAX_BODY, MAX_TITLE, CannedResponse
from webcare.tickets.actions import ActionError

#: Who may write canned responses; agents and analysts may use them.
MANAGING_ROLES: Final = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class CannedInput:
    """What a person typed for a canned response. ``team`` is a team slug ("" for the whole organisation)."""

    title: str
    body: str
    language: str = ""
    team: str = ""


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def can_manage(agent: Agent) -> bool:
    return agent.role in MANAGING_ROLES


def _require_manager(agent: Agent) -> None:
    if not can_manage(agent):
        raise ActionError("role", "only supervisors and admins can change canned responses")


def _clean(organisation: Organisation, data: CannedInput) -> dict[str, Any]:
    """The validated values, or ActionError for the first field at fault (in form order)."""
    title = data.title.strip()
    if not title:
        raise ActionError("title", "a canned response needs a title")
    if len(title) > MAX_TITLE:
        raise ActionError("title", f"a title can have at most {MAX_TITLE} characters")
    body = data.body.strip()
    if not body:
        raise ActionError("body", "a canned response needs a text")
    if len(body) > MAX_BODY:
        raise ActionError("body", f"a text can have at most {MAX_BODY} characters")
    unknown = variables.check(body)
    if unknown:
        raise ActionError("body", f"unknown variable {variables.placeholder(unknown[0])}; "
                                  f"use {variables.known_list()}")
    language = data.language.strip()
    if language and language not in language_codes():
        raise ActionError("language", f"unknown language {language!r}; use one of {', '.join(language_codes())} "
                                      "or leave it empty for any language")
    team = None
    if data.team:
        team = Team.objects.filter(organisation=organisation, slug=data.team).first()
        if team is None:
            raise ActionError("team", "choose one of your organisation's teams")
    return {"title": title, "body": body, "language": language, "team": team}


def _refuse_duplicate(organisation: Organisation, values: dict[str, Any], exclude: int | None = None) -> None:
    clash = CannedResponse.objects.filter(organisation=organisation, language=values["language"],
                                          title__iexact=values["title"])
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ActionError("title", f"a canned response titled {values['title']!r} already exists "
                                   f"for {values['language'] or 'any language'}")


def _save(response: CannedResponse, values: dict[str, Any]) -> CannedResponse:
    try:
        with transaction.atomic():
            _refuse_duplicate(response.organisation, values, exclude=response.pk)
            for name, value in values.items():
                setattr(response, name, value)
            response.updated_at = timezone.now()
            response.save()
    except IntegrityError as exc:  # a colleague saved the same title at the same moment
        raise ActionError("title", f"a canned response titled {values['title']!r} already exists") from exc
    return response


def do_create_canned(agent: Agent, data: CannedInput) -> CannedResponse:
    """A new active canned response in the agent's organisation."""
    _require_manager(agent)
    values = _clean(agent.organisation, data)
    return _save(CannedResponse(organisation=agent.organisation, created_by=agent.user), values)


def do_update_canned(agent: Agent, response: CannedResponse, data: CannedInput, *,
                     is_active: bool | None = None) -> CannedResponse:
    """Change a canned response; ``is_active`` True reactivates it, None leaves it as it is."""
    _require_manager(agent)
    if response.organisation_id != agent.organisation.pk:
        raise ActionError("canned", "no such canned response")
    values = _clean(agent.organisation, data)
    if is_active is not None:
        values["is_active"] = is_active
    return _save(response, values)


def do_deactivate_canned(agent: Agent, response: CannedResponse) -> CannedResponse:
    """Hide a canned response from the composer; it is kept (and can be reactivated), never deleted."""
    _require_manager(agent)
    if response.organisation_id != agent.organisation.pk:
        raise ActionError("canned", "no such canned response")
    with transaction.atomic():
        CannedResponse.objects.filter(pk=response.pk).update(is_active=False, updated_at=timezone.now())
    response.refresh_from_db()
    return response
