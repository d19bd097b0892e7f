"""The minimum group size and when results are shown.

Assessments made before results were withheld until close keep what their
owners saw until now, live results: the rows that exist get "live", and the
default for new assessments is "after-close".
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0005_constraint_messages'),
        ('organizations', '0002_rename_tables'),
    ]

    operations = [
        migrations.AddField(
            model_name='assessment',
            name='min_group_size',
            field=models.PositiveSmallIntegerField(default=5, help_text='From 3 to 100. No figure is shown for a group of fewer respondents than this, the whole assessment included.', verbose_name='minimum group size'),
        ),
        migrations.AddField(
            model_name='assessment',
            name='results',
            field=models.CharField(choices=[('after-close', 'After the assessment closes'), ('live', 'Live, while it is open')], default='live', max_length=12),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='results',
            field=models.CharField(choices=[('after-close', 'After the assessment closes'), ('live', 'Live, while it is open')], default='after-close', help_text="After close (recommended): the report shows figures once the assessment is closed. Live results let anyone who reads the report compare it before and after one person submits, and so work out that person's answers. Choose it only when everyone who answers is told so.", max_length=12, verbose_name='results shown'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.CheckConstraint(condition=models.Q(('min_group_size__gte', 3), ('min_group_size__lte', 100)), name='assessment_min_group_size_range', violation_error_code='min_group_size_range', violation_error_message='The minimum group size must be a whole number from 3 to 100.'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.CheckConstraint(condition=models.Q(('results__in', ['after-close', 'live'])), name='assessment_results_valid', violation_error_code='results', violation_error_message='Choose when results are shown: after close or live.'),
        ),
    ]
