"""The only writers of agents and teams on behalf of a person (an organisation's admins, from ``/staff/``).

Why one place: a refused request must leave nothing half-made (a user without its agent row, an agent without its
teams) and the same rules must hold whoever calls — the pages today, the API or a command later. Each function
locks the organisation row, checks that ``actor`` (a Django user) is an active admin of it — the views check too;
this is defence in depth — validates every input and raises :class:`~webcare.tickets.actions.ActionError` naming the
field at fault. Locking the organisation serialises two admins' changes, which is what keeps the last-admin guard
true when two admins demote each other at the same moment.

Accounts are global in Django while agents belong to one organisation. An account that also works for another
organisation, or a site administrator's account (superuser or staff), has account-wide fields — name, e-mail,
password, active — that an admin of one organisation must not change: resetting such a password would hand over the
other organisation's desk, or the whole install. Such changes are refused unless it is the actor's own account or the
actor is a superuser. Role, teams, languages, capacity and channels belong to the organisation's agent row and stay
editable.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from enum import Enum
from typing import Any, Final

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from webcare.audit import events as audit_events
from webcare.core.models import Agent, AssignmentMode, ChannelKind, Organisation, Role, SignatureStyle, Team
from webcare.tickets.actions import ActionError
from webcare.triage.language import DEFAULT_LANGUAGES

GENERATED_PASSWORD_LENGTH: Final = 16
#: Letters and digits without look-alikes (0/O, 1/l/I): a generated password is read out or typed by hand once.
PASSWORD_ALPHABET: Final = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - not a secret
MAX_NAME: Final = 150  # Django's User.first_name/last_name/username
MAX_TEAM_NAME: Final = 200
MAX_SLUG: Final = 63
#: Most new and open tickets an agent can be set to hold; 0 means automatic assignment passes them by.
MAX_CAPACITY: Final = 100
#: Longest reclaim time a team can set: a week (0 turns reclaiming off).
MAX_RECLAIM_MINUTES: Final = 7 * 24 * 60
#: Letters that Unicode does not decompose to ASCII, so ``slugify`` would drop them ("Sørvis" → "srvis").
_SLUG_LETTERS: Final = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th",
                                      "ł": "l", "Æ": "ae", "Ø": "o", "Œ": "oe", "Đ": "d", "Ð": "d", "Þ": "th",
                                      "Ł": "l"})


class _Keep(Enum):
    """Marks an argument that was not given, so ``overflow_team=None`` (clear it) differs from "leave it"."""

    KEEP = "keep"


KEEP: Final = _Keep.KEEP


def generate_password() -> str:
    """A random password (about 92 bits) to hand to a new colleague once."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GENERATED_PASSWORD_LENGTH))


def is_admin(user: Any, org: Organisation) -> bool:
    """Whether ``user`` is an active admin of ``org``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Agent.objects.filter(user=user, organisation=org, role=Role.ADMIN).exists()


def _lock_as_admin(org: Organisation, actor: Any) -> Organisation:
    """Serialise staff changes in ``org`` and refuse anybody but its admins."""
    locked = Organisation.objects.select_for_update().get(pk=org.pk)
    if not is_admin(actor, locked):
        raise ActionError("actor", _("only an admin of %(org)s can manage its agents and teams") % {"org": org.name})
    return locked


def _text(field: str, value: str, max_length: int, required_message: str = "") -> str:
    value = (value or "").strip()
    if required_message and not value:
        raise ActionError(field, required_message)
    if len(value) > max_length:
        raise ActionError(field, _("at most %(n)d characters") % {"n": max_length})
    return value


def _username(value: str) -> str:
    """Django's rules for a username, and free across the whole install (accounts are global)."""
    user_model = get_user_model()
    username = user_model.normalize_username(_text("username", value, MAX_NAME, _("a username is needed")))
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise ActionError("username", " ".join(exc.messages)) from exc
    # Case-insensitive like Django's own sign-up form: "Nora" and "nora" would be two people nobody tells apart.
    # An existing account is refused even when it is no agent here: it may be another organisation's person.
    if user_model.objects.filter(username__iexact=username).exists():
        raise ActionError("username", _("that username is taken"))
    return username


def _email(value: str) -> str:
    email = _text("email", value, 254)
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ActionError("email", _("enter a valid e-mail address")) from exc
    return get_user_model().objects.normalize_email(email)


def _role(value: str) -> str:
    if value not in Role.values:
        raise ActionError("role", _("choose one of: %(roles)s") % {"roles": ", ".join(Role.values)})
    return value


def _ids(field: str, values: Iterable[int | str], message: str) -> set[int]:
    ids: set[int] = set()
    for value in values:
        text = str(value).strip()
        if not text.isdigit():
            raise ActionError(field, message)
        ids.add(int(text))
    return ids


def _teams(org: Organisation, team_ids: Iterable[int | str]) -> list[Team]:
    message = _("choose teams of %(org)s") % {"org": org.name}
    ids = _ids("team_ids", team_ids, message)
    teams = list(Team.objects.filter(organisation=org, pk__in=ids))
    if len(teams) != len(ids):
        raise ActionError("team_ids", message)
    return teams


def _members(org: Organisation, member_ids: Iterable[int | str]) -> list[Agent]:
    message = _("choose agents of %(org)s") % {"org": org.name}
    ids = _ids("member_ids", member_ids, message)
    members = list(Agent.objects.filter(organisation=org, pk__in=ids))
    if len(members) != len(ids):
        raise ActionError("member_ids", message)
    return members


def offered_languages(org: Organisation, held: Iterable[str] = ()) -> list[str]:
    """The languages an agent of ``org`` can be said to answer in: the organisation's own (triage's languages when it
    lists none), and any the agent already has, so narrowing the organisation's list never makes a form unsavable."""
    codes = list(org.languages or DEFAULT_LANGUAGES)
    return codes + [code for code in held if code not in codes]


def _languages(org: Organisation, values: Iterable[str], held: Iterable[str] = ()) -> list[str]:
    """The chosen languages, once each, in the order they are offered (assignment matches them with the language
    triage finds in a message, so only the organisation's languages make sense)."""
    offered = offered_languages(org, held)
    chosen = list(dict.fromkeys(str(value).strip() for value in values))
    unknown = [code for code in chosen if code not in offered]
    if unknown:
        raise ActionError("languages", _("choose from: %(codes)s") % {"codes": ", ".join(offered)})
    return [code for code in offered if code in chosen]


def _whole_number(field: str, value: int | str, most: int, message: str) -> int:
    text = str(value).strip()
    if not text.isdigit() or int(text) > most:
        raise ActionError(field, message)
    return int(text)


def _capacity(value: int | str) -> int:
    return _whole_number("capacity", value, MAX_CAPACITY,
                         _("enter a whole number from 0 to %(most)d (0: never assigned automatically)")
                         % {"most": MAX_CAPACITY})


def _channel_kinds(values: Iterable[str]) -> list[str]:
    """The channel kinds an agent works, in the order of :class:`ChannelKind`; none means every channel."""
    if isinstance(values, str):
        raise ActionError("channel_kinds", _("give a list of channel kinds, not one string"))
    chosen = {str(value).strip() for value in values}
    if unknown := chosen - set(ChannelKind.values):
        raise ActionError("channel_kinds", _("unknown channel kind %(kind)s; choose from: %(kinds)s")
                          % {"kind": ", ".join(sorted(unknown)), "kinds": ", ".join(ChannelKind.values)})
    return [kind for kind in ChannelKind.values if kind in chosen]


def _check_password(field: str, password: str, user: Any) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ActionError(field, " ".join(exc.messages)) from exc


@transaction.atomic
def add_agent(org: Organisation, actor: Any, username: str, first_name: str, last_name: str, email: str,
              role: str, team_ids: Iterable[int | str], languages: Iterable[str],
              password: str | None = None, capacity: int | str | None = None,
              channel_kinds: Iterable[str] = ()) -> tuple[Agent, str]:
    """Make a Django user and its agent row in ``org``, in the chosen teams, with what automatic assignment needs:
    ``capacity`` (most new and open tickets held; None: the default) and ``channel_kinds`` (none: every channel).

    Returns the agent and its password: the one given (after Django's password validators) or, when none is given,
    a generated one — the only time it can be read, so the page shows it once for the admin to pass on.
    """
    _lock_as_admin(org, actor)
    username = _username(username)
    first_name = _text("first_name", first_name, MAX_NAME, _("a first name is needed: replies are signed with it"))
    last_name = _text("last_name", last_name, MAX_NAME)
    email = _email(email)
    role = _role(role)
    teams = _teams(org, team_ids)
    codes = _languages(org, languages)
    most = _capacity(capacity) if capacity is not None else Agent._meta.get_field("capacity").get_default()
    kinds = _channel_kinds(channel_kinds)
    user_model = get_user_model()
    user = user_model(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        _check_password("password", password, user)
    else:
        password = generate_password()
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same name saved by another request a moment ago
        raise ActionError("username", _("that username is taken")) from exc
    agent = Agent.objects.create(user=user, organisation=org, role=role, languages=codes, capacity=most,
                                 channel_kinds=kinds)
    agent.teams.set(teams)
    audit_events.agent_created(agent, actor, teams)
    return agent, password


def _account_is_shared(agent: Agent) -> bool:
    """The account also signs in elsewhere: another organisation, or the site administration."""
    user = agent.user
    if user.is_superuser or user.is_staff:
        return True
    return Agent.objects.filter(user=user).exclude(organisation_id=agent.organisation_id).exists()


def _guard_account(agent: Agent, actor: Any, field: str) -> None:
    """Refuse to change an account-wide field of a shared account (see the module docstring)."""
    if agent.user_id == actor.pk or actor.is_superuser:
        return
    if _account_is_shared(agent):
        message = _("this account is also used outside %(org)s; only a site administrator can change its name, "
                    "e-mail, password or whether it is active")
        raise ActionError(field, message % {"org": agent.organisation.name})


def _active_admins_after(org: Organisation, agent: Agent, role: str, is_active: bool) -> int:
    """How many active admins ``org`` has once ``agent`` has ``role`` and ``is_active``."""
    others = (Agent.objects.filter(organisation=org, role=Role.ADMIN, user__is_active=True)
              .exclude(pk=agent.pk).count())
    return others + (1 if role == Role.ADMIN and is_active else 0)


@transaction.atomic
def change_agent(agent: Agent, actor: Any, *, first_name: str | None = None, last_name: str | None = None,
                 email: str | None = None, role: str | None = None, team_ids: Iterable[int | str] | None = None,
                 languages: Iterable[str] | None = None, is_active: bool | None = None,
                 capacity: int | str | None = None, channel_kinds: Iterable[str] | None = None) -> Agent:
    """Change what was given (None leaves a value as it is); ``team_ids`` is the complete new set of teams.

    The organisation keeps at least one active admin, and an admin cannot demote or deactivate themselves (another
    admin has to, so nobody locks themselves out by a slip).
    """
    org = _lock_as_admin(agent.organisation, actor)
    agent = Agent.objects.select_related("user", "organisation").get(pk=agent.pk, organisation=org)
    user = agent.user
    old_role, was_active = agent.role, user.is_active
    new_role = agent.role if role is None else _role(role)
    new_active = user.is_active if is_active is None else bool(is_active)
    field = "role" if new_role != agent.role else "is_active"
    if (agent.role == Role.ADMIN and user.is_active) and _active_admins_after(org, agent, new_role, new_active) < 1:
        raise ActionError(field, _("%(org)s needs at least one active admin") % {"org": org.name})
    if user.pk == actor.pk and new_role != agent.role:
        raise ActionError("role", _("you cannot change your own role; ask another admin"))
    if user.pk == actor.pk and not new_active:
        raise ActionError("is_active", _("you cannot deactivate your own account"))
    changes: dict[str, Any] = {}
    if first_name is not None:
        changes["first_name"] = _text("first_name", first_name, MAX_NAME,
                                      _("a first name is needed: replies are signed with it"))
    if last_name is not None:
        changes["last_name"] = _text("last_name", last_name, MAX_NAME)
    if email is not None:
        changes["email"] = _email(email)
    changes["is_active"] = new_active
    changed = [name for name, value in changes.items() if getattr(user, name) != value]
    for name in changed:
        _guard_account(agent, actor, name)
        setattr(user, name, changes[name])
    teams = _teams(org, team_ids) if team_ids is not None else None
    if languages is not None:
        agent.languages = _languages(org, languages, held=agent.languages)
    if capacity is not None:
        agent.capacity = _capacity(capacity)
    if channel_kinds is not None:
        agent.channel_kinds = _channel_kinds(channel_kinds)
    agent.role = new_role
    if changed:
        user.save(update_fields=changed)
    agent.save(update_fields=["role", "languages", "capacity", "channel_kinds"])
    audit_events.agent_changed(agent, actor, old_role=old_role, was_active=was_active, is_active=new_active,
                               account_fields=changed)
    if teams is not None:
        before = list(agent.teams.values_list("pk", flat=True))
        agent.teams.set(teams)
        audit_events.agent_teams_changed(agent, actor, before, teams)
    return agent


@transaction.atomic
def reset_password(agent: Agent, actor: Any) -> str:
    """Give the agent a new generated password and return it (shown once). Their other sessions end with it."""
    _lock_as_admin(agent.organisation, actor)
    agent = Agent.objects.select_related("user", "organisation").get(pk=agent.pk)
    _guard_account(agent, actor, "password")
    password = generate_password()
    agent.user.set_password(password)
    agent.user.save(update_fields=["password"])
    audit_events.password_reset(agent, actor)
    return password


def slug_for(name: str) -> str:
    """A slug for a team name: Django's slugify after spelling out the Nordic letters it would drop."""
    slug = slugify(name.translate(_SLUG_LETTERS)).replace("_", "-").strip("-")[:MAX_SLUG].strip("-")
    return slug or "team"


def free_slug(base: str, taken: set[str]) -> str:
    """``base``, or ``base`` with "-2", "-3" … (shortened to fit) when it is taken."""
    slug, n = base, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
    return slug


def _unique_slug(org: Organisation, name: str) -> str:
    """``slug_for(name)``, with "-2", "-3" … when another team of ``org`` has it already."""
    base = slug_for(name)
    return free_slug(base, set(Team.objects.filter(organisation=org, slug__startswith=base)
                               .values_list("slug", flat=True)))


def _team_name(org: Organisation, name: str, team: Team | None = None) -> str:
    name = _text("name", name, MAX_TEAM_NAME, _("a team needs a name"))
    others = Team.objects.filter(organisation=org, name__iexact=name)
    if team is not None:
        others = others.exclude(pk=team.pk)
    if others.exists():
        raise ActionError("name", _("%(org)s already has a team called “%(name)s”") % {"org": org.name, "name": name})
    return name


def _signature(value: str) -> str:
    if value not in SignatureStyle.values:
        raise ActionError("signature", _("choose one of: %(styles)s") % {"styles": ", ".join(SignatureStyle.values)})
    return value


def _assignment(value: str) -> str:
    if value not in AssignmentMode.values:
        raise ActionError("assignment", _("choose one of: %(modes)s") % {"modes": ", ".join(AssignmentMode.values)})
    return value


def _reclaim_minutes(value: int | str) -> int:
    return _whole_number("reclaim_minutes", value, MAX_RECLAIM_MINUTES,
                         _("enter a whole number of minutes from 0 to %(most)d (0: never)")
                         % {"most": MAX_RECLAIM_MINUTES})


def _overflow_team(org: Organisation, value: int | str | None, team: Team | None = None) -> Team | None:
    """Another team of ``org`` (or none) whose members may take this team's tickets while a supervisor says so."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    message = _("choose another team of %(org)s") % {"org": org.name}
    if not text.isdigit() or (team is not None and int(text) == team.pk):
        raise ActionError("overflow_team", message)
    found = Team.objects.filter(organisation=org, pk=int(text)).first()
    if found is None:
        raise ActionError("overflow_team", message)
    return found


@transaction.atomic
def add_team(org: Organisation, actor: Any, name: str, signature: str, member_ids: Iterable[int | str],
             assignment: str | None = None, reclaim_minutes: int | str | None = None,
             overflow_team: int | str | None = None) -> Team:
    """Make a team in ``org``; its slug (used by the API and filters) comes from the name and stays unique.

    ``assignment``: manual (the default), round_robin or least_loaded (webcare/routing/assignment.py);
    ``reclaim_minutes``: an assigned ticket nobody touches for this long goes back to the pool (0, the default:
    never); ``overflow_team``: the id of the team whose members a supervisor can let take this team's tickets in a
    surge.
    """
    org = _lock_as_admin(org, actor)
    name = _team_name(org, name)
    signature = _signature(signature)
    members = _members(org, member_ids)
    mode = _assignment(assignment) if assignment is not None else AssignmentMode.MANUAL
    minutes = _reclaim_minutes(reclaim_minutes) if reclaim_minutes is not None else 0
    overflow = _overflow_team(org, overflow_team)
    team = Team.objects.create(organisation=org, name=name, slug=_unique_slug(org, name), signature=signature,
                               assignment=mode, reclaim_minutes=minutes, overflow_team=overflow)
    team.members.set(members)
    audit_events.team_members_changed(team, actor, (), members, created=True)
    return team


@transaction.atomic
def change_team(team: Team, actor: Any, *, name: str | None = None, signature: str | None = None,
                member_ids: Iterable[int | str] | None = None, assignment: str | None = None,
                reclaim_minutes: int | str | None = None, overflow_team: int | str | _Keep | None = KEEP) -> Team:
    """Rename a team, change its signature style, its members (the complete new set) or how it assigns tickets
    (``overflow_team`` None or "" clears it; not given leaves it).

    The slug stays as it was made: API clients, saved filters and links use it, and a rename must not break them.
    """
    org = _lock_as_admin(team.organisation, actor)
    team = Team.objects.get(pk=team.pk, organisation=org)
    if name is not None:
        team.name = _team_name(org, name, team)
    if signature is not None:
        team.signature = _signature(signature)
    members = _members(org, member_ids) if member_ids is not None else None
    if assignment is not None:
        team.assignment = _assignment(assignment)
    if reclaim_minutes is not None:
        team.reclaim_minutes = _reclaim_minutes(reclaim_minutes)
    if not isinstance(overflow_team, _Keep):
        team.overflow_team = _overflow_team(org, overflow_team, team)
    team.save(update_fields=["name", "signature", "assignment", "reclaim_minutes", "overflow_team"])
    if members is not None:
        before = list(team.members.values_list("pk", flat=True))
        team.members.set(members)
        audit_events.team_members_changed(team, actor, before, members)
    return team
