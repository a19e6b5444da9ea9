"""Per-field sources on the stored extraction, and the source an edit replaced.

Rows stored before this have no sources: each present field gets its engine's source
(``ocr``/``vlm``/``remote``, what read it then), and a field a person changed gets
``employee``.
"""

from typing import Any

from django.db import migrations, models

# Frozen here: a migration must not change when the application's mapping does.
ENGINE_SOURCES = {"ocr": "ocr", "vlm": "vlm", "remote": "remote"}
SCALAR_FIELDS = (
    "invoice_code",
    "invoice_number",
    "issue_date",
    "seller_name",
    "seller_tax_id",
    "buyer_name",
    "buyer_tax_id",
    "amount_excluding_tax",
    "tax_amount",
    "total_amount",
    "total_in_words",
    "check_code",
    "currency",
)


def backfill_sources(apps: Any, schema_editor: Any) -> None:
    Extraction = apps.get_model("reimbursements", "Extraction")
    FieldCorrection = apps.get_model("reimbursements", "FieldCorrection")
    edited: dict[int, set[str]] = {}
    for extraction_id, field in FieldCorrection.objects.values_list("extraction_id", "field"):
        edited.setdefault(extraction_id, set()).add(field)
    for extraction in Extraction.objects.only("id", "engine", "fields").iterator():
        default = ENGINE_SOURCES.get(extraction.engine)
        values = extraction.fields or {}
        sources = {
            name: default
            for name in SCALAR_FIELDS
            if default and values.get(name) not in (None, "")
        }
        sources.update(dict.fromkeys(edited.get(extraction.id, ()), "employee"))
        if sources:
            Extraction.objects.filter(pk=extraction.pk).update(sources=sources)


class Migration(migrations.Migration):
    dependencies = [
        ("reimbursements", "0007_drop_plaintext_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="extraction",
            name="sources",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="fieldcorrection",
            name="old_source",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.RunPython(backfill_sources, migrations.RunPython.noop),
    ]
