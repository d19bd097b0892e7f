"""The answers' assessment key, filled by 0003, becomes required, and the report's index is built on it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0003_answer_assessment_submitted"),
    ]

    operations = [
        migrations.AlterField(
            model_name="answer",
            name="assessment",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="assessments.assessment",
            ),
        ),
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(
                fields=["assessment", "submitted", "benefit", "importance", "realization"], name="answer_report_idx"
            ),
        ),
    ]
