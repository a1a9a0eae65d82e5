"""The entries that webcare's writers record, one small function each, so the writers (``staff/actions.py``,
``staff/channel_actions.py``, the API-token command, the Django admin) need one line each and every path records
the same entry for the same change.

Each is called inside the writer's transaction, after the change, with the person who made it. Details hold ids,
names of fields and roles — never a secret, a password or a customer's personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from webcare.audit import actions
from webcare.audit.log import record

#: Account fields whose change is recorded (by name, never the value).
ACCOUNT_FIELDS = ("first_name", "last_name", "email")


def _ids(items: Iterable[Any]) -> list[int]:
    return sorted(int(getattr(item, "pk", item)) for item in items)


def agent_created(agent: Any, actor: Any, team_ids: Iterable[Any] = (), request: Any = None) -> None:
    record(actions.AGENT_CREATED, organisation=agent.organisation_id, actor=actor, target=f"agent:{agent.pk}",
           detail={"user_id": agent.user_id, "role": agent.role, "team_ids": _ids(team_ids)}, request=request)


def agent_changed(agent: Any, actor: Any, *, old_role: str, was_active: bool, is_active: bool,
                  account_fields: Iterable[str] = (), request: Any = None) -> None:
    """A role change, a (de)activation and changed account fields: one entry each, so each can be filtered."""
    org, target = agent.organisation_id, f"agent:{agent.pk}"
    if agent.role != old_role:
        record(actions.ROLE_CHANGED, organisation=org, actor=actor, target=target, request=request,
               detail={"user_id": agent.user_id, "from": old_role, "to": agent.role})
    if was_active != is_active:
        record(actions.AGENT_REACTIVATED if is_active else actions.AGENT_DEACTIVATED, organisation=org, actor=actor,
               target=target, detail={"user_id": agent.user_id}, request=request)
    fields = sorted(name for name in account_fields if name in ACCOUNT_FIELDS)
    if fields:
        record(actions.AGENT_CHANGED, organisation=org, actor=actor, target=target, request=request,
               detail={"user_id": agent.user_id, "fields": fields})


def password_reset(agent: Any, actor: Any, request: Any = None) -> None:
    record(actions.PASSWORD_RESET, organisation=agent.organisation_id, actor=actor, target=f"agent:{agent.pk}",
           detail={"user_id": agent.user_id}, request=request)


def agent_teams_changed(agent: Any, actor: Any, before: Iterable[Any], after: Iterable[Any],
                        request: Any = None) -> None:
    """The agent's teams changed (from the agent's form): which were joined and left."""
    old, new = set(_ids(before)), set(_ids(after))
    if old != new:
        record(actions.TEAM_CHANGED, organisation=agent.organisation_id, actor=actor, target=f"agent:{agent.pk}",
               detail={"joined": sorted(new - old), "left": sorted(old - new)}, request=request)


def team_members_changed(team: Any, actor: Any, before: Iterable[Any], after: Iterable[Any], *,
                         created: bool = False, request: Any = None) -> None:
    """A team's members changed (from the team's form, or the team was made with members): agent ids added and
    removed."""
    old, new = set(_ids(before)), set(_ids(after))
    if old != new or created:
        detail: dict[str, Any] = {"added": sorted(new - old), "removed": sorted(old - new)}
        if created:
            detail["created"] = True
        record(actions.TEAM_CHANGED, organisation=team.organisation_id, actor=actor, target=f"team:{team.pk}",
               detail=detail, request=request)


def channel_credentials(channel: Any, actor: Any, change: str, fields: Iterable[str], request: Any = None,
                        actor_label: str = "") -> None:
    """``change``: "connected" (a new channel with credentials) or "changed"; ``fields``: the names of the
    credential and connection fields that were set or changed (never their values)."""
    record(actions.CHANNEL_CREDENTIALS, organisation=channel.organisation_id, actor=actor, actor_label=actor_label,
           target=f"channel:{channel.pk}", request=request,
           detail={"change": change, "kind": channel.kind, "fields": sorted(set(fields))})


def changed_keys(before: dict[str, Any], after: dict[str, Any], names: Iterable[str] | None = None) -> list[str]:
    """The keys whose values differ between two mappings (only ``names`` when given)."""
    keys = set(names) if names is not None else set(before) | set(after)
    return sorted(key for key in keys if before.get(key) != after.get(key))


def token_created(token: Any, actor: Any = None, actor_label: str = "", request: Any = None) -> None:
    record(actions.API_TOKEN_CREATED, organisation=token.organisation_id, actor=actor, actor_label=actor_label,
           target=f"api_token:{token.pk}", request=request,
           detail={"prefix": token.prefix, "name": token.name, "can_reveal": bool(getattr(token, "can_reveal", False))})


def token_revoked(token: Any, actor: Any = None, actor_label: str = "", how: str = "revoked",
                  request: Any = None) -> None:
    """``how``: "revoked" (it stays listed, refused), "deleted", or "restored" (valid again: its own action)."""
    action = actions.API_TOKEN_RESTORED if how == "restored" else actions.API_TOKEN_REVOKED
    record(action, organisation=token.organisation_id, actor=actor, actor_label=actor_label,
           target=f"api_token:{token.pk}", detail={"prefix": token.prefix, "how": how}, request=request)
