from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reimbursements", "0012_extraction_agreeing"),
    ]

    operations = [
        migrations.AddField(
            model_name="fieldcorrection",
            name="old_warnings",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
