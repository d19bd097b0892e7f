"""Each answer carries its response's assessment and whether it is submitted.

The gap report then reads one contiguous range of ``answer_report_idx``
(assessment, submitted, benefit, importance, realization) with the same plan
whichever assessment is asked (see the ``responses.models`` docstring). The
existing rows are filled from their responses in two set-based UPDATEs;
0004 then makes the key required and builds the index, in a transaction of
its own (PostgreSQL refuses to alter a table with pending foreign-key checks).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor) -> None:
    answer = apps.get_model("responses", "Answer")
    response = apps.get_model("responses", "Response")
    db = schema_editor.connection.alias
    of_response = response.objects.using(db).filter(pk=OuterRef("response_id"))
    answer.objects.using(db).update(assessment_id=Subquery(of_response.values("assessment_id")[:1]))
    submitted = response.objects.using(db).filter(submitted_at__isnull=False).values("pk")
    answer.objects.using(db).filter(response_id__in=submitted).update(submitted=True)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_move_models_out"),
        ("responses", "0002_rename_tables"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="answer", name="answer_report_idx"),
        migrations.AddField(
            model_name="answer",
            name="assessment",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="assessments.assessment",
            ),
        ),
        migrations.AddField(model_name="answer", name="submitted", field=models.BooleanField(default=False)),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
