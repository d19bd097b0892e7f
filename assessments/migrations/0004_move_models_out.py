"""Organization and Membership now live in the organizations app, Invitation,
Response and Answer in the responses app (their 0001 migrations take them
over); this app forgets them. State only: no table or row changes here.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0003_answer_drop_redundant_key_indexes'),
        ('organizations', '0001_initial'),
        ('responses', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay; the organizations and responses apps own them from now on.
            state_operations=[
                migrations.RemoveField(
                    model_name='invitation',
                    name='assessment',
                ),
                migrations.RemoveField(
                    model_name='response',
                    name='invitation',
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='user',
                ),
                migrations.AlterField(
                    model_name='assessment',
                    name='organization',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='organizations.organization'),
                ),
                migrations.RemoveField(
                    model_name='response',
                    name='assessment',
                ),
                migrations.RemoveField(
                    model_name='response',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Answer',
                ),
                migrations.DeleteModel(
                    name='Invitation',
                ),
                migrations.DeleteModel(
                    name='Membership',
                ),
                migrations.DeleteModel(
                    name='Organization',
                ),
                migrations.DeleteModel(
                    name='Response',
                ),
            ],
            database_operations=[],
        ),
    ]
