from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reimbursements", "0015_profile_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="extraction",
            name="evidence",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
