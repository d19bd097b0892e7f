"""Anonymous responses, part 2 of 3: cut the link of every submitted response.

For each response submitted before the rule: keep the day it was submitted
and how many whole minutes it took; mark its invitation, or its member (a
Participation row), as having submitted; then drop its user, invitation and
times, and give it a random respondent id if it came through the web form
(an id that was a username or an invitation's number). Imported responses
keep the ids their file gave them. Drafts stay resumable, and become
anonymous when submitted; their ids, which named a user or an invitation,
are made random now.
"""

import secrets

from django.db import migrations


def make_anonymous(apps, schema_editor):
    Response = apps.get_model("responses", "Response")
    Invitation = apps.get_model("responses", "Invitation")
    Participation = apps.get_model("responses", "Participation")
    submitted = Response.objects.filter(submitted_at__isnull=False)
    invitation_ids = []
    participations = []
    for response in submitted.iterator(chunk_size=2000):
        web = response.invitation_id is not None or response.user_id is not None
        if response.invitation_id is not None:
            invitation_ids.append(response.invitation_id)
        if response.user_id is not None:
            participations.append(Participation(assessment_id=response.assessment_id, user_id=response.user_id))
        minutes = None
        if web and response.started_at is not None:
            minutes = max(0, int((response.submitted_at - response.started_at).total_seconds() // 60))
        response.submitted_on = response.submitted_at.date()
        response.duration_minutes = minutes
        response.user_id = None
        response.invitation_id = None
        response.started_at = None
        response.updated_at = None
        if web:
            response.respondent = f"w-{secrets.token_hex(8)}"
        response.save(
            update_fields=[
                "submitted_on", "duration_minutes", "user", "invitation", "started_at", "updated_at", "respondent",
            ]
        )
    drafts = Response.objects.filter(submitted_at__isnull=True).exclude(invitation__isnull=True, user__isnull=True)
    for response in drafts.iterator(chunk_size=2000):
        response.respondent = f"w-{secrets.token_hex(8)}"
        response.save(update_fields=["respondent"])
    for start in range(0, len(invitation_ids), 500):
        Invitation.objects.filter(pk__in=invitation_ids[start : start + 500]).update(submitted=True)
    Participation.objects.bulk_create(participations, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('responses', '0005_anonymous_responses'),
    ]

    operations = [
        # Irreversible by nature: what was cut is gone.
        migrations.RunPython(make_anonymous, migrations.RunPython.noop),
    ]
