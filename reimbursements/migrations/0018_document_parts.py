import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reimbursements", "0017_named_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="parts",
                to="reimbursements.document",
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="part_index",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="document",
            name="region",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="document",
            name="status",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("scanning", "Virus scan"),
                    ("clean", "Clean"),
                    ("infected", "Infected"),
                    ("rejected", "Rejected"),
                    ("processing", "Reading the document"),
                    ("extracted", "Fields extracted"),
                    ("needs_review", "Needs review"),
                    ("failed", "Failed"),
                    ("split", "Split into several documents"),
                ],
                default="received",
                max_length=20,
            ),
        ),
    ]
