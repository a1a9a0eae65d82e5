"""``Message.redacted_text`` is always filled from now on (it was "" when triage found no personal data, meaning
"the text is already safe"): copy the text over for those rows, so lists, search and analytics read only
``redacted_text`` and never decrypt. Runs before any text is encrypted (``webcare keys encrypt-existing`` comes
after), so it copies plaintext, as the old "" meant."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("conversations", "0006_dashboard_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            "UPDATE conversations_message SET redacted_text = text "
            "WHERE redacted_text = '' AND text <> '' AND text NOT LIKE 'wce1:%%'",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
