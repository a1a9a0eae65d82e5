"""The ``webcare`` console command: Django's management commands under webcare's settings.

``webcare`` alone (or ``webcare --help``) lists webcare's own commands first; ``webcare help --all`` lists every
Django command as well.
"""

from __future__ import annotations

import os
import sys

MAIN_COMMANDS = [
    ("serve", "web server and embedded worker (the zero-set-up default); prints the URL"),
    ("demo", "load the demo data, then serve (--load-only: just load)"),
    ("worker", "an ingestion worker only, for scaling out on PostgreSQL"),
    ("import", "bulk import: webcare import PATH --format jsonl|twcs"),
    ("migrate", "create or update the database tables"),
    ("createadmin", "create an admin account (or reset its password) and print the login"),
    ("apitoken", "issue an API token for an organisation"),
    ("events", "list or retry dead-lettered inbound events"),
    ("triage", "JSON lines of messages in, their triage out (--stored: triage stored messages)"),
    ("train", "rebuild triage's models from labelled data (--check: prove the shipped ones are reproducible)"),
    ("eval", "score triage on the labelled sets and write docs/quality.md"),
    ("gdpr", "data subject requests: find, export (ZIP), erase a person; reapply erasures after a restore"),
    ("retention", "apply the retention policies now (--dry-run: only report what would go)"),
    ("audit", "the audit log: verify the hash chain (prints the last hash), list entries, export them as JSON lines"),
    ("keys", "encryption keys: status, rotate the master key, encrypt rows stored before encryption"),
    ("unlock", "lift a sign-in lock after too many failed attempts"),
    ("search", "search every channel: words, \"phrases\", #ticket, names (--json: JSON lines)"),
    ("searchindex", "the search index: rebuild from the database, status (size, lag), follow"),
    ("storm", "inject a storm of complaints about one outage into a running desk (an incident within minutes)"),
]


def usage() -> str:
    lines = ["usage: webcare COMMAND [options]   (webcare COMMAND --help for a command's options)", "", "commands:"]
    lines += [f"  {name:<12} {text}" for name, text in MAIN_COMMANDS]
    lines += ["", "environment: WEBCARE_DATA_DIR (default ~/.local/share/webcare),",
              "             DATABASE_URL (default: a SQLite file in the data directory)",
              "all Django commands: webcare help --all"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help") or args == ["help"]:
        print(usage())
        return
    if args[:2] == ["help", "--all"]:
        args = ["help"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")
    from webcare.conf import ConfigError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["webcare", *args])
    except ConfigError as exc:
        print(f"webcare: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


if __name__ == "__main__":
    main()
