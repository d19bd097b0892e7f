"""Organization and Membership, moved here from the assessments app.

State only: the rows stay in their tables, ``assessments_organization`` and
``assessments_membership``, which 0002 renames.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('assessments', '0003_answer_drop_redundant_key_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already (made by the assessments app): only Django's view of them moves.
            state_operations=[
                migrations.CreateModel(
                    name='Organization',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, unique=True)),
                        ('slug', models.SlugField(max_length=200, unique=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ],
                    options={
                        'db_table': 'assessments_organization',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('owner', 'Owner'), ('analyst', 'Analyst'), ('respondent', 'Respondent')], default='respondent', max_length=20)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='organizations.organization')),
                    ],
                    options={
                        'db_table': 'assessments_membership',
                        'ordering': ['organization', 'user'],
                        'constraints': [models.UniqueConstraint(fields=('user', 'organization'), name='membership_unique_user_org'), models.CheckConstraint(condition=models.Q(('role__in', ['owner', 'analyst', 'respondent'])), name='membership_role_valid')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
