"""Anonymous responses, part 1 of 3: the new columns, beside the old ones.

The data moves in 0006 and the old column goes in 0007: three migrations, so
that on PostgreSQL no table is altered in the transaction that updated its
rows (deferred foreign-key checks would refuse it).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0006_confidentiality_settings'),
        ('responses', '0004_answer_report_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Participation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assessments.assessment')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('assessment', 'user'), name='participation_unique')],
            },
        ),
        migrations.AddField(
            model_name='invitation',
            name='submitted',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name='response',
            name='duration_minutes',
            field=models.PositiveIntegerField(blank=True, help_text='Whole minutes from start to submit (web responses).', null=True),
        ),
        migrations.AddField(
            model_name='response',
            name='submitted_on',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='response',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='response',
            name='updated_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
