"""Triggers that refuse UPDATE, DELETE and TRUNCATE of audit entries (webcare/audit/guard.py says why and what a
superuser can still do)."""

from typing import Any

from django.db import migrations

from webcare.audit import guard


def forwards(apps: Any, schema_editor: Any) -> None:
    guard.install(schema_editor)


def backwards(apps: Any, schema_editor: Any) -> None:
    guard.uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
