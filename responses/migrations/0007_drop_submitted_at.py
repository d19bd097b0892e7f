"""Anonymous responses, part 3 of 3: drop the time of submission, and make the rule a constraint."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('responses', '0006_make_submitted_responses_anonymous'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='response',
            name='response_submitted_idx',
        ),
        migrations.RemoveField(
            model_name='response',
            name='submitted_at',
        ),
        migrations.AddIndex(
            model_name='response',
            index=models.Index(fields=['assessment', 'submitted_on'], name='response_submitted_on_idx'),
        ),
        migrations.AddConstraint(
            model_name='response',
            constraint=models.CheckConstraint(condition=models.Q(('submitted_on__isnull', True), models.Q(('invitation__isnull', True), ('started_at__isnull', True), ('updated_at__isnull', True), ('user__isnull', True)), _connector='OR'), name='response_submitted_is_anonymous', violation_error_message='A submitted response keeps no user, invitation or time of day.'),
        ),
        migrations.AddConstraint(
            model_name='response',
            constraint=models.CheckConstraint(condition=models.Q(('submitted_on__isnull', False), models.Q(('started_at__isnull', False), ('updated_at__isnull', False)), _connector='OR'), name='response_draft_has_times', violation_error_message='A draft response needs its start and last-saved times.'),
        ),
    ]
