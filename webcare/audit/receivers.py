"""What the audit log hears without being called: sign-ins and sign-outs, and changes of accounts' site-wide
privileges, whichever code path made them. Connected in :meth:`webcare.audit.apps.AuditConfig.ready`.

Why signals here (and explicit :func:`~webcare.audit.log.record` calls everywhere else): Django's authentication
fires ``user_logged_in`` / ``user_logged_out`` / ``user_login_failed`` from whatever sign-in view is in use (the
two-factor one fires ``user_logged_in`` only after the second factor), and a superuser flag or a group can be changed
from the Django admin, ``createadmin`` or a shell — there is no one writer to call from. Each receiver records in the
transaction of the change it hears, so a change that rolls back leaves no entry.

What is kept of a failed sign-in: the username when it is an existing account's (an agent's datum, needed to see an
attack on an account); a name that matches no account is kept only as a keyed hash, because people type their
password into the username field, and the log can never be erased.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from webcare.audit import actions
from webcare.audit.log import record
from webcare.core.models import Agent

#: Site-wide privileges of an account (Django's own flags; roles within an organisation are the agent rows').
PRIVILEGE_FLAGS = ("is_staff", "is_superuser")
_OLD = "_audit_privileges_before"


def organisations_of(user_id: int | None) -> list[int | None]:
    """The organisations a user works for (one entry is recorded in each), or [None] for an account of none."""
    if user_id is None:
        return [None]
    found = list(Agent.objects.filter(user_id=user_id).order_by("organisation_id")
                 .values_list("organisation_id", flat=True).distinct())
    return list(found) or [None]


def username_hash(typed: str) -> str:
    """A keyed hash of a typed name that matches no account: the same name gives the same hash (repeated attempts
    can be told apart and counted), the name itself cannot be read back."""
    from webcare.keys.hashing import identifier_hash

    return identifier_hash("audit-username:" + typed.strip().casefold())[:16]


def signed_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is None:
        return
    for org_id in organisations_of(user.pk):
        record(actions.SIGN_IN, organisation=org_id, actor=user, target=f"user:{user.pk}", request=request)


def signed_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is None:  # signing out without being signed in
        return
    for org_id in organisations_of(user.pk):
        record(actions.SIGN_OUT, organisation=org_id, actor=user, target=f"user:{user.pk}", request=request)


def sign_in_failed(sender: Any, credentials: dict[str, Any] | None = None, request: Any = None,
                   **kwargs: Any) -> None:
    user_model = get_user_model()
    typed = str((credentials or {}).get(user_model.USERNAME_FIELD, "") or "")[:150]
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: typed}).first() if typed else None
    if user is not None:
        for org_id in organisations_of(user.pk):
            record(actions.SIGN_IN_FAILED, organisation=org_id, actor_label=user.get_username(),
                   target=f"user:{user.pk}", request=request)
        return
    detail = {"account": "unknown", "username_hash": username_hash(typed)} if typed else {"account": "none given"}
    record(actions.SIGN_IN_FAILED, actor_label="unknown", detail=detail, request=request)


def remember_privileges(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """Before a user is saved: the privileges it had (none for a new account)."""
    if update_fields is not None and not set(update_fields) & set(PRIVILEGE_FLAGS):
        return  # e.g. the last_login update at every sign-in: no extra query
    before = {flag: False for flag in PRIVILEGE_FLAGS}
    if instance.pk is not None:
        stored = sender._default_manager.filter(pk=instance.pk).values(*PRIVILEGE_FLAGS).first()
        before = stored or before
    setattr(instance, _OLD, before)


def privileges_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    before = instance.__dict__.pop(_OLD, None)
    if before is None:
        return
    changed = {flag: [bool(before[flag]), bool(getattr(instance, flag))] for flag in PRIVILEGE_FLAGS
               if bool(before[flag]) != bool(getattr(instance, flag))}
    if changed:
        for org_id in organisations_of(instance.pk):
            record(actions.PRIVILEGES_CHANGED, organisation=org_id, target=f"user:{instance.pk}", detail=changed)


def account_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Before an account is deleted (its agent rows go with it): one entry per organisation it worked for."""
    for org_id in organisations_of(instance.pk):
        record(actions.ACCOUNT_DELETED, organisation=org_id, target=f"user:{instance.pk}",
               detail={"was_superuser": bool(instance.is_superuser), "was_staff": bool(instance.is_staff)})


def agent_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    record(actions.AGENT_DELETED, organisation=instance.organisation_id, target=f"agent:{instance.pk}",
           detail={"user_id": instance.user_id, "role": instance.role})


def memberships_changed(sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any,
                        **kwargs: Any) -> None:
    """A user's groups or own permissions, or a group's permissions, were added, removed or cleared — from either
    side (``user.groups.add(g)`` or ``g.user_set.add(user)``)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    ids = sorted(pk_set or ())
    if action != "post_clear" and not ids:
        return
    owner_kind = "group" if sender is Group.permissions.through else "user"
    base = {"relation": sender._meta.object_name, "change": action.removeprefix("post_")}
    if not reverse:
        owners, detail = [instance.pk], base | {"ids": ids}
    elif action == "post_clear":  # e.g. group.user_set.clear(): who lost it is not told; name the other side
        owner_kind = instance._meta.model_name
        owners, detail = [instance.pk], base
    else:
        owners, detail = ids, base | {f"{instance._meta.model_name}_id": instance.pk}
    for owner in owners:
        orgs = organisations_of(owner) if owner_kind == "user" else [None]
        for org_id in orgs:
            record(actions.PRIVILEGES_CHANGED, organisation=org_id, target=f"{owner_kind}:{owner}", detail=detail)


def admin_logged(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """The Django admin wrote its own log entry for an account or group: record who did it.

    The entry names the fields the admin changed (their labels, never their values); what changed in the privileges
    is in the ``auth.privileges_changed`` entry recorded by the save itself.
    """
    if not created or instance.content_type_id is None:
        return
    model = instance.content_type.model_class()
    if model is None or not (issubclass(model, get_user_model()) or issubclass(model, Group)):
        return
    kind = "group" if issubclass(model, Group) else "user"
    object_id = str(instance.object_id or "")
    orgs = organisations_of(int(object_id)) if kind == "user" and object_id.isdigit() else [None]
    detail = {"change": {1: "added", 2: "changed", 3: "deleted"}.get(instance.action_flag, "?"),
              "fields": _changed_fields(instance.change_message)}
    for org_id in orgs:
        record(actions.ADMIN_ACCOUNT_CHANGED, organisation=org_id, actor=instance.user_id,
               actor_label=_username(instance.user_id), target=f"{kind}:{object_id}", detail=detail)


def _username(user_id: int) -> str:
    user_model = get_user_model()
    found = user_model._default_manager.filter(pk=user_id).values_list(user_model.USERNAME_FIELD, flat=True).first()
    return str(found or "")


def _changed_fields(message: str) -> list[str]:
    """The field labels of the admin's change message (JSON like ``[{"changed": {"fields": ["Staff status"]}}]``)."""
    try:
        parts = json.loads(message or "[]")
    except ValueError:
        return []
    names: list[str] = []
    for part in parts if isinstance(parts, list) else []:
        for change in part.values() if isinstance(part, dict) else []:
            if isinstance(change, dict):
                names += [str(name) for name in change.get("fields", [])]
    return names
