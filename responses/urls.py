from __future__ import annotations

from django.urls import include, path

from responses.invitations import views as invitations
from responses.mail import views as mail
from responses.respond import views as respond

app_name = "responses"

# Two ways in, one flow: each step has the same view under both.
form_patterns = [
    path("", respond.form_start, name="start"),
    path("section/<int:number>/", respond.form_section, name="section"),
    path("review/", respond.form_review, name="review"),
    path("withdraw/", respond.form_withdraw, name="withdraw"),
    path("done/", respond.form_done, name="done"),
]

manage_patterns = [
    path("invitations/", invitations.manage_invitations, name="invitations"),
    path("invitations.csv", invitations.manage_invitations_csv, name="invitations_csv"),
    path("invitations/<int:pk>/revoke/", invitations.manage_invitation_revoke, name="invitation_revoke"),
    path("invitations/email/", mail.manage_email_invitations, name="email_invitations"),
    path("invitations/reminders/", mail.manage_reminders, name="reminders"),
    path("invitations/<int:pk>/resend/", mail.manage_invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/send-again/", mail.manage_invitation_send_again, name="invitation_send_again"),
]

urlpatterns = [
    # By invitation link (no account): the token is the credential and resumes the response.
    path("i/<str:token>/", include((form_patterns, "invitation"))),
    # An e-mailed link's opt-out (the List-Unsubscribe target).
    path("i/<str:token>/opt-out/", mail.opt_out, name="opt_out"),
    # By a logged-in member of the organization.
    path("o/<slug:org_slug>/<slug:assessment_slug>/respond/", include((form_patterns, "member"))),
    # "manage/" is followed by more segments than an assessment's own URLs have, so an
    # assessment whose slug is "manage" keeps its respond and report URLs.
    path("o/<slug:org_slug>/manage/", invitations.manage_overview, name="overview"),
    path("o/<slug:org_slug>/manage/assessments/<slug:assessment_slug>/", include((manage_patterns, "manage"))),
]
