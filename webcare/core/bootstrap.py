"""First-run chores shared by the commands: migrate when needed, create the first admin, a default organisation.

Why: the embedded default must work with zero set-up — ``webcare serve`` on an empty data directory ends with a
running desk and a printed login — while a PostgreSQL deployment with many workers must never have two processes
migrating at once, so there only the explicit commands migrate.

There are two databases to keep migrated: the main one (``default``) and the keyring (``keyring``: the customers'
data keys, webcare/keys). ``webcare migrate`` without ``--database`` migrates both (webcare/keys/management/commands/
migrate.py), creating the keyring database on PostgreSQL when it does not exist.
"""

from __future__ import annotations

import secrets
from typing import Protocol

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from webcare.core.models import Agent, Channel, ChannelKind, Organisation, Role


class Writer(Protocol):
    """Anything with ``write(str)``: a command's ``self.stdout``, ``sys.stdout``, a StringIO."""

    def write(self, text: str) -> object: ...


#: The databases webcare migrates: the main one, then the keyring.
DATABASES = (DEFAULT_DB_ALIAS, "keyring")


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> int:
    executor = MigrationExecutor(connections[alias])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def database_label(alias: str = DEFAULT_DB_ALIAS) -> str:
    db = connections[alias]
    settings_dict = db.settings_dict
    what = "keyring " if alias != DEFAULT_DB_ALIAS else ""
    if db.vendor == "sqlite":
        return f"{what}SQLite file {settings_dict['NAME']}"
    return f"{what}{db.vendor} database {settings_dict.get('NAME')!r} on {settings_dict.get('HOST') or 'localhost'}"


def pending_migrations() -> dict[str, int]:
    """Unapplied migrations per database; -1 for a keyring database that does not exist yet (PostgreSQL)."""
    pending = {}
    for alias in DATABASES:
        try:
            pending[alias] = unapplied_migrations(alias)
        except OperationalError:
            if alias == DEFAULT_DB_ALIAS:
                raise
            connections[alias].close()
            pending[alias] = -1
    return pending


def ensure_migrated(out: Writer, migrate: bool = True) -> None:
    """Migrate both databases if either is behind, or (``migrate=False``) stop with the exact command to run."""
    pending = {alias: count for alias, count in pending_migrations().items() if count}
    if not pending:
        return
    if not migrate:
        behind = "; ".join(f"the {database_label(alias)} " + ("does not exist" if count < 0 else
                                                                f"is not migrated ({count} migrations pending)")
                           for alias, count in pending.items())
        raise CommandError(f"{behind[0].upper()}{behind[1:]}. Run `webcare migrate` once, then start this command "
                           "again.")
    for alias, count in pending.items():
        out.write(f"Migrating the {database_label(alias)} ({max(count, 0) or 'all'} migrations)…\n")
    call_command("migrate", verbosity=0, interactive=False)  # both databases (webcare/keys' migrate)


def ensure_default_organisation() -> Organisation:
    """The first organisation, with an ``api`` channel, so the API accepts messages from the first minute."""
    org = Organisation.objects.order_by("pk").first()
    if org is None:
        org = Organisation.objects.create(slug="default", name="My brand", languages=["en"])
        # Only for a new organisation: an admin who deleted every rule must not get them back on the next start.
        from webcare.routing.defaults import ensure_default_rules

        ensure_default_rules(org)
    if not Channel.objects.filter(organisation=org, kind=ChannelKind.API).exists():
        Channel.objects.get_or_create(organisation=org, slug="api", defaults={"kind": ChannelKind.API, "name": "API"})
    return org


def organisation_by_slug(slug: str) -> Organisation:
    """The organisation with ``slug``, or a command error that lists the known ones."""
    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"No organisation with slug {slug!r} (known: {known}).")
    return org


def create_or_reset_admin(username: str, email: str, org: Organisation) -> str:
    """Create the admin (or reset its password); returns the new password, which is stored only as a hash."""
    password = secrets.token_urlsafe(12)
    user_model = get_user_model()
    with transaction.atomic():
        user, _ = user_model.objects.get_or_create(username=username, defaults={"email": email, "first_name": "Admin"})
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        Agent.objects.update_or_create(user=user, organisation=org, defaults={"role": Role.ADMIN})
    return password


def ensure_admin(out: Writer, org: Organisation | None = None) -> None:
    """On the very first run, make an admin (of ``org``, else the first organisation) and print its login once."""
    user_model = get_user_model()
    if user_model.objects.filter(is_superuser=True).exists():
        return
    org = org or ensure_default_organisation()
    password = create_or_reset_admin("admin", "admin@localhost", org)
    out.write(
        "\nFirst run: an admin account was created. Its password is shown only now:\n"
        f"    username: admin\n    password: {password}\n"
        "(make another or reset it with `webcare createadmin`)\n"
        "At the first sign-in, set up two-step sign-in with an authenticator app (admins must).\n\n"
    )
