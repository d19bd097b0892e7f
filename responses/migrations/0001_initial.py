"""Invitation, Response and Answer, moved here from the assessments app.

State only: the rows stay in their tables (``assessments_invitation``,
``assessments_response``, ``assessments_answer``), which 0002 renames.
Index and constraint names are the ones the tables already have.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('assessments', '0003_answer_drop_redundant_key_indexes'),
        ('organizations', '0001_initial'),
        ('taxonomy', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already (made by the assessments app): only Django's view of them moves.
            state_operations=[
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('label', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='assessments.assessment')),
                    ],
                    options={
                        'db_table': 'assessments_invitation',
                        'ordering': ['-created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Response',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('respondent', models.CharField(help_text='Unique within the assessment.', max_length=200)),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('submitted_at', models.DateTimeField(blank=True, null=True)),
                        ('current_section', models.PositiveSmallIntegerField(default=0)),
                        ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='responses', to='assessments.assessment')),
                        ('invitation', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='response', to='responses.invitation')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='responses', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'assessments_response',
                        'ordering': ['assessment', 'respondent'],
                    },
                ),
                migrations.CreateModel(
                    name='Answer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('importance', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('realization', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('importance_answered', models.BooleanField(default=False)),
                        ('realization_answered', models.BooleanField(default=False)),
                        ('benefit', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='taxonomy.benefit')),
                        ('response', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='responses.response')),
                    ],
                    options={
                        'db_table': 'assessments_answer',
                    },
                ),
                migrations.AddIndex(
                    model_name='response',
                    index=models.Index(fields=['assessment', 'submitted_at'], name='response_submitted_idx'),
                ),
                migrations.AddConstraint(
                    model_name='response',
                    constraint=models.UniqueConstraint(fields=('assessment', 'respondent'), name='response_unique_respondent'),
                ),
                migrations.AddConstraint(
                    model_name='response',
                    constraint=models.UniqueConstraint(condition=models.Q(('user__isnull', False)), fields=('assessment', 'user'), name='response_unique_user'),
                ),
                migrations.AddIndex(
                    model_name='answer',
                    index=models.Index(fields=['benefit', 'importance', 'realization', 'response'], name='answer_report_idx'),
                ),
                migrations.AddConstraint(
                    model_name='answer',
                    constraint=models.UniqueConstraint(fields=('response', 'benefit'), name='answer_unique_per_benefit'),
                ),
                migrations.AddConstraint(
                    model_name='answer',
                    constraint=models.CheckConstraint(condition=models.Q(('importance__isnull', True), models.Q(('importance__gte', 1), ('importance__lte', 5)), _connector='OR'), name='answer_importance_range'),
                ),
                migrations.AddConstraint(
                    model_name='answer',
                    constraint=models.CheckConstraint(condition=models.Q(('realization__isnull', True), models.Q(('realization__gte', 1), ('realization__lte', 5)), _connector='OR'), name='answer_realization_range'),
                ),
                migrations.AddConstraint(
                    model_name='answer',
                    constraint=models.CheckConstraint(condition=models.Q(('importance__isnull', True), ('importance_answered', True), _connector='OR'), name='answer_importance_flagged'),
                ),
                migrations.AddConstraint(
                    model_name='answer',
                    constraint=models.CheckConstraint(condition=models.Q(('realization__isnull', True), ('realization_answered', True), _connector='OR'), name='answer_realization_flagged'),
                ),
                migrations.AddConstraint(
                    model_name='answer',
                    constraint=models.CheckConstraint(condition=models.Q(('importance_answered', True), ('realization_answered', True), _connector='OR'), name='answer_not_empty'),
                ),
            ],
            database_operations=[],
        ),
    ]
