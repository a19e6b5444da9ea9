"""Drop DRF's authtoken table: it kept every API token in plain text.

API tokens now live in knox's table as digests. Clients holding an old token get 401 and
sign in again (both clients already do that on 401). Also forgets the authtoken app's
migration records, so the app could be installed again from scratch.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reimbursements", "0006_duplicate_lookup_indexes"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                "DROP TABLE IF EXISTS authtoken_token",
                "DELETE FROM django_migrations WHERE app = 'authtoken'",
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
